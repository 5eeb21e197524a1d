#include <thread>

#include "ferrum/kube/informer.hpp"

namespace ferrum::kube {

IndexFunc namespace_index() {
  return [](const Json& obj) -> std::vector<std::string> {
    std::string ns = namespace_of(obj);
    if (ns.empty()) return {};
    return {ns};
  };
}

IndexFunc label_index(std::string label) {
  return [label = std::move(label)](const Json& obj) -> std::vector<std::string> {
    auto m = obj.find("metadata");
    if (m == obj.end() || !m->is_object()) return {};
    auto l = m->find("labels");
    if (l == m->end() || !l->is_object()) return {};
    auto v = l->find(label);
    if (v == l->end() || !v->is_string()) return {};
    return {v->get<std::string>()};
  };
}

void ObjectStore::add_index(const std::string& name, IndexFunc fn) {
  std::unique_lock l(mu_);
  auto& idx = indexes_[name];
  idx.clear();
  for (const auto& [key, obj] : objects_)
    for (auto& v : fn(*obj)) idx[v].insert(key);
  index_fns_[name] = std::move(fn);
}

ObjectPtr ObjectStore::get(const std::string& key) const {
  std::shared_lock l(mu_);
  auto it = objects_.find(key);
  return it == objects_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> ObjectStore::list() const {
  std::shared_lock l(mu_);
  std::vector<ObjectPtr> out;
  out.reserve(objects_.size());
  for (const auto& [k, v] : objects_) out.push_back(v);
  return out;
}

std::vector<std::string> ObjectStore::keys() const {
  std::shared_lock l(mu_);
  std::vector<std::string> out;
  out.reserve(objects_.size());
  for (const auto& [k, v] : objects_) out.push_back(k);
  return out;
}

std::size_t ObjectStore::size() const {
  std::shared_lock l(mu_);
  return objects_.size();
}

std::vector<std::string> ObjectStore::keys_by_index(const std::string& name,
                                                    const std::string& value) const {
  std::shared_lock l(mu_);
  auto idx = indexes_.find(name);
  if (idx == indexes_.end()) return {};
  auto it = idx->second.find(value);
  if (it == idx->second.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<ObjectPtr> ObjectStore::by_index(const std::string& name,
                                             const std::string& value) const {
  std::shared_lock l(mu_);
  std::vector<ObjectPtr> out;
  auto idx = indexes_.find(name);
  if (idx == indexes_.end()) return out;
  auto it = idx->second.find(value);
  if (it == idx->second.end()) return out;
  for (const auto& key : it->second)
    if (auto o = objects_.find(key); o != objects_.end()) out.push_back(o->second);
  return out;
}

void ObjectStore::index_locked(const std::string& key, const Json& obj, bool add) {
  for (const auto& [name, fn] : index_fns_) {
    auto& idx = indexes_[name];
    for (const auto& v : fn(obj)) {
      if (add) {
        idx[v].insert(key);
      } else if (auto it = idx.find(v); it != idx.end()) {
        it->second.erase(key);
        if (it->second.empty()) idx.erase(it);
      }
    }
  }
}

ObjectPtr ObjectStore::upsert(const std::string& key, ObjectPtr obj) {
  std::unique_lock l(mu_);
  ObjectPtr old;
  auto it = objects_.find(key);
  if (it != objects_.end()) {
    old = it->second;
    index_locked(key, *old, false);
    it->second = obj;
  } else {
    objects_.emplace(key, obj);
  }
  index_locked(key, *obj, true);
  generation_.fetch_add(1, std::memory_order_release);
  return old;
}

ObjectPtr ObjectStore::erase(const std::string& key) {
  std::unique_lock l(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return nullptr;
  ObjectPtr old = it->second;
  index_locked(key, *old, false);
  objects_.erase(it);
  generation_.fetch_add(1, std::memory_order_release);
  return old;
}

std::vector<ObjectStore::Change> ObjectStore::replace(
    std::vector<std::pair<std::string, ObjectPtr>> objects) {
  std::unique_lock l(mu_);
  std::vector<Change> changes;
  std::map<std::string, ObjectPtr> fresh;
  for (auto& [key, obj] : objects) {
    auto it = objects_.find(key);
    if (it == objects_.end())
      changes.push_back({nullptr, obj});
    else if (resource_version_of(*it->second) != resource_version_of(*obj))
      changes.push_back({it->second, obj});
    fresh[key] = std::move(obj);
  }
  for (const auto& [key, obj] : objects_)
    if (!fresh.count(key)) changes.push_back({obj, nullptr});
  objects_ = std::move(fresh);
  for (auto& [name, idx] : indexes_) idx.clear();
  for (const auto& [key, obj] : objects_) index_locked(key, *obj, true);
  if (!changes.empty()) generation_.fetch_add(1, std::memory_order_release);
  return changes;
}

Informer::Informer(InformerSettings settings, Client& client, Clock& clock, log::Logger logger)
    : settings_(std::move(settings)), client_(client), clock_(clock), log_(std::move(logger)) {}

void Informer::add_handlers(EventHandlers h) { handlers_.push_back(std::move(h)); }

bool Informer::has_synced() const {
  std::lock_guard l(sync_mu_);
  return synced_;
}

bool Informer::wait_for_sync(std::stop_token stop) const {
  std::unique_lock l(sync_mu_);
  return sync_cv_.wait(l, stop, [&] { return synced_; });
}

int Informer::lists_for_test() const {
  std::lock_guard l(sync_mu_);
  return lists_;
}

void Informer::notify_add(const Json& obj) {
  for (auto& h : handlers_)
    if (h.on_add) h.on_add(obj);
}
void Informer::notify_update(const Json& old_obj, const Json& new_obj) {
  for (auto& h : handlers_)
    if (h.on_update) h.on_update(old_obj, new_obj);
}
void Informer::notify_delete(const Json& obj) {
  for (auto& h : handlers_)
    if (h.on_delete) h.on_delete(obj);
}

void Informer::replace(std::vector<Json>& items) {
  std::lock_guard d(deliver_mu_);
  std::vector<std::pair<std::string, ObjectPtr>> objects;
  objects.reserve(items.size());
  for (auto& item : items) {
    std::string key = object_key(item);
    objects.emplace_back(std::move(key), std::make_shared<const Json>(std::move(item)));
  }
  for (const auto& c : store_.replace(std::move(objects))) {
    if (!c.old_obj)
      notify_add(*c.new_obj);
    else if (!c.new_obj)
      notify_delete(*c.old_obj);  // deleted while we were not watching
    else
      notify_update(*c.old_obj, *c.new_obj);
  }
}

bool Informer::apply(WatchEvent&& ev) {
  if (ev.type == EventType::kBookmark) return true;
  std::lock_guard d(deliver_mu_);
  std::string key = object_key(ev.object);
  if (ev.type == EventType::kDeleted) {
    store_.erase(key);
    notify_delete(ev.object);
    return true;
  }
  auto obj = std::make_shared<const Json>(std::move(ev.object));
  auto old = store_.upsert(key, obj);
  if (old)
    notify_update(*old, *obj);
  else
    notify_add(*obj);
  return true;
}

void Informer::resync_loop(std::stop_token stop) {
  while (clock_.sleep_for(settings_.resync_period, stop)) {
    std::lock_guard d(deliver_mu_);
    for (const auto& obj : store_.list()) notify_update(*obj, *obj);
  }
}

void Informer::run(std::stop_token stop) {
  std::jthread resync;
  if (settings_.resync_period > Clock::Duration::zero())
    resync = std::jthread([this, stop] { resync_loop(stop); });
  const auto& r = settings_.resource;
  std::chrono::milliseconds delay = settings_.backoff.initial;
  while (!stop.stop_requested()) {
    ListOptions lo;
    lo.label_selector = settings_.label_selector;
    lo.field_selector = settings_.field_selector;
    auto listed = list_all(client_, r, settings_.ns, lo, settings_.page_size);
    if (!listed) {
      log_.warn("list failed, retrying", {{"resource", r.plural},
                                          {"error", listed.error().describe()},
                                          {"retry_in_ms", delay.count()}});
      if (!clock_.sleep_for(delay, stop)) break;
      delay = std::min(delay * 2, settings_.backoff.max);
      continue;
    }
    delay = settings_.backoff.initial;
    {
      std::lock_guard l(sync_mu_);
      ++lists_;
    }
    replace(listed->items);
    {
      std::lock_guard l(sync_mu_);
      synced_ = true;
    }
    sync_cv_.notify_all();
    log_.debug("listed", {{"resource", r.plural},
                          {"objects", store_.size()},
                          {"resourceVersion", listed->resource_version}});

    WatchOptions wo;
    wo.resource_version = listed->resource_version;
    wo.label_selector = settings_.label_selector;
    wo.field_selector = settings_.field_selector;
    wo.timeout = settings_.watch_timeout;
    auto watched = watch_resuming(
        client_, clock_, r, settings_.ns, wo,
        [this](WatchEvent&& ev) { return apply(std::move(ev)); }, stop, settings_.backoff,
        [&](const Error& e) {
          log_.warn("watch failed, resuming", {{"resource", r.plural}, {"error", e.describe()}});
        });
    if (watched) break;  // stopped
    log_.info("watch expired, relisting",
              {{"resource", r.plural}, {"error", watched.error().describe()}});
  }
}

}  // namespace ferrum::kube
