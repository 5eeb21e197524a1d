#include "object_store.hpp"

#include <cstdio>
#include <cstdlib>

#include "ferrum/json_text.hpp"

namespace ferrum::apiserver {

ObjectStore::ObjectStore(DurableStore& durable, std::size_t history_size, std::size_t history_bytes)
    : durable_(durable), history_size_(history_size), history_bytes_limit_(history_bytes) {}

ObjectStore::~ObjectStore() { stop(); }

std::size_t ObjectStore::load() {
  std::unique_lock lock(mu_);
  objects_.clear();
  count_ = 0;
  for (auto& row : durable_.load()) {
    auto obj = std::make_shared<const json>(json::parse(row.data));
    objects_[row.resource][key(row.ns, row.name)] = std::move(obj);
    ++count_;
  }
  rv_ = durable_.last_rv();
  committed_rv_ = rv_;
  std::lock_guard wl(watch_mu_);
  // Nothing before this process's start is retained: older watches get 410 and relist.
  evicted_up_to_ = rv_;
  return count_;
}

void ObjectStore::start() {
  committer_ = std::thread([this] { run_committer(); });
}

void ObjectStore::stop() {
  {
    std::lock_guard lock(pending_mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  pending_cv_.notify_all();
  if (committer_.joinable()) committer_.join();
}

ObjectPtr ObjectStore::get(const std::string& resource, const std::string& ns,
                           const std::string& name) const {
  std::shared_lock lock(mu_);
  auto r = objects_.find(resource);
  if (r == objects_.end()) return nullptr;
  auto it = r->second.find(key(ns, name));
  return it == r->second.end() ? nullptr : it->second;
}

ObjectStore::ListResult ObjectStore::list(const std::string& resource, const std::string& ns,
                                          const std::string& after_key, std::size_t limit,
                                          const std::function<bool(const json&)>& filter) const {
  ListResult out;
  std::shared_lock lock(mu_);
  out.rv = rv_;
  auto r = objects_.find(resource);
  if (r == objects_.end()) return out;
  const auto& m = r->second;
  auto it = after_key.empty() ? m.begin() : m.upper_bound(after_key);
  if (!ns.empty() && after_key.empty()) it = m.lower_bound(ns + "/");
  const std::string prefix = ns + "/";
  bool more = false;
  for (; it != m.end(); ++it) {
    if (!ns.empty() && it->first.compare(0, prefix.size(), prefix) != 0) break;
    if (filter && !filter(*it->second)) continue;
    if (limit != 0 && out.items.size() == limit) {
      more = true;
      break;
    }
    out.items.push_back(it->second);
  }
  if (more) {
    const json& md = (*out.items.back())["metadata"];
    out.next_key = key(md.value("namespace", ""), md.value("name", ""));
  }
  return out;
}

std::vector<std::pair<std::string, ObjectPtr>> ObjectStore::owned_by(const std::string& uid) const {
  std::vector<std::pair<std::string, ObjectPtr>> out;
  std::shared_lock lock(mu_);
  for (const auto& [resource, m] : objects_) {
    for (const auto& [k, obj] : m) {
      const auto& md = (*obj)["metadata"];
      auto refs = md.find("ownerReferences");
      if (refs == md.end() || !refs->is_array()) continue;
      for (const auto& ref : *refs) {
        if (ref.value("uid", "") == uid) {
          out.emplace_back(resource, obj);
          break;
        }
      }
    }
  }
  return out;
}

void ObjectStore::mutate(const std::string& resource, const std::string& ns, const std::string& name,
                         const Mutator& mutator, MutationDone done) {
  std::unique_lock lock(mu_);
  auto& m = objects_[resource];
  std::string k = key(ns, name);
  auto it = m.find(k);
  ObjectPtr current = it == m.end() ? nullptr : it->second;
  auto decision = mutator(current.get());
  if (!decision) {
    lock.unlock();
    done(unexpected(decision.error()));
    return;
  }
  if (decision->kind == Decision::Kind::kUnchanged) {
    lock.unlock();
    done(MutationResult{current, current, false});
    return;
  }
  if (decision->kind == Decision::Kind::kDelete && !current) {
    lock.unlock();
    done(MutationResult{nullptr, nullptr, false});
    return;
  }
  std::uint64_t rv = ++rv_;
  Pending p;
  p.write.resource = resource;
  p.write.ns = ns;
  p.write.name = name;
  p.write.rv = rv;
  p.event.rv = rv;
  p.event.resource = resource;
  p.event.previous = current;
  if (decision->kind == Decision::Kind::kDelete) {
    // The DELETED event carries the last state, stamped with the deletion's resourceVersion.
    json last = *current;
    last["metadata"]["resourceVersion"] = std::to_string(rv);
    p.event.type = "DELETED";
    p.event.bytes = json_text::dump(last).size();
    p.event.object = std::make_shared<const json>(std::move(last));
    m.erase(it);
    --count_;
    p.result = MutationResult{nullptr, current, true};
  } else {
    json obj = std::move(decision->object);
    obj["metadata"]["resourceVersion"] = std::to_string(rv);
    auto stored = std::make_shared<const json>(std::move(obj));
    p.write.data = json_text::dump(*stored);
    p.event.bytes = p.write.data->size();
    p.event.type = current ? "MODIFIED" : "ADDED";
    p.event.object = stored;
    if (!current) ++count_;
    m[k] = stored;
    p.result = MutationResult{stored, current, true};
  }
  p.done = std::move(done);
  {
    // Queued while still holding mu_, so the committer sees mutations in rv order.
    std::lock_guard pl(pending_mu_);
    pending_.push_back(std::move(p));
  }
  lock.unlock();
  pending_cv_.notify_one();
}

void ObjectStore::run_committer() {
  std::vector<Pending> batch;
  std::vector<RowWrite> writes;
  for (;;) {
    {
      std::unique_lock lock(pending_mu_);
      pending_cv_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
      if (pending_.empty() && stopping_) return;
      batch.swap(pending_);
    }
    writes.clear();
    for (auto& p : batch) writes.push_back(std::move(p.write));
    try {
      durable_.commit(writes, batch.back().event.rv);
    } catch (const std::exception& e) {
      // Memory already holds these writes; without durability the promise to clients is broken.
      std::fprintf(stderr, "{\"level\":\"error\",\"logger\":\"store\",\"msg\":\"commit failed, aborting\",\"error\":\"%s\"}\n",
                   e.what());
      std::abort();
    }
    committed_rv_ = batch.back().event.rv;
    commits_.fetch_add(1);
    for (auto& p : batch) {
      publish(p.event);
      p.done(std::move(p.result));
    }
    batch.clear();
  }
}

void ObjectStore::publish(const WatchEvent& ev) {
  std::lock_guard lock(watch_mu_);
  history_.push_back(ev);
  history_bytes_ += ev.bytes;
  while (!history_.empty() &&
         (history_.size() > history_size_ || history_bytes_ > history_bytes_limit_)) {
    evicted_up_to_ = history_.front().rv;
    history_bytes_ -= history_.front().bytes;
    history_.pop_front();
  }
  for (auto it = watchers_.begin(); it != watchers_.end();) {
    if (it->resource == ev.resource && ev.rv > it->from && !it->sink->offer(ev)) {
      dropped_.fetch_add(1);
      it = watchers_.erase(it);
    } else {
      ++it;
    }
  }
}

Expected<std::uint64_t, ApiError> ObjectStore::watch(const std::string& resource, std::uint64_t from,
                                                     std::shared_ptr<WatchSink> sink) {
  std::lock_guard lock(watch_mu_);
  if (from < evicted_up_to_) {
    return unexpected(ApiError::gone("too old resource version: " + std::to_string(from) + " (" +
                                     std::to_string(evicted_up_to_) + ")"));
  }
  for (const auto& ev : history_) {
    if (ev.rv > from && ev.resource == resource && !sink->offer(ev)) {
      // More to replay than a watcher may queue: as far behind as a watch whose events were
      // evicted, so the same answer (the client relists).
      return unexpected(ApiError::gone("too old resource version: " + std::to_string(from) +
                                       " (the events since exceed the watch buffer; relist)"));
    }
  }
  watchers_.push_back({resource, from, std::move(sink)});
  return from;
}

void ObjectStore::unwatch(const WatchSink* sink) {
  std::lock_guard lock(watch_mu_);
  std::erase_if(watchers_, [&](const WatcherEntry& w) { return w.sink.get() == sink; });
}

std::uint64_t ObjectStore::current_rv() const {
  std::shared_lock lock(mu_);
  return rv_;
}

std::uint64_t ObjectStore::committed_rv() const { return committed_rv_.load(); }

std::size_t ObjectStore::object_count() const {
  std::shared_lock lock(mu_);
  return count_;
}

std::size_t ObjectStore::history_bytes() const {
  std::lock_guard lock(watch_mu_);
  return history_bytes_;
}

std::size_t ObjectStore::watcher_count() const {
  std::lock_guard lock(watch_mu_);
  return watchers_.size();
}

}  // namespace ferrum::apiserver
