#pragma once
// An in-memory Kubernetes API for unit tests of the client's consumers (informer, leader
// election, event recorder): objects per resource with resourceVersions, create/update
// conflicts, merge and JSON patches, and watches replaying a bounded history (older
// resourceVersions get 410, like a compacted etcd). Tests can drop open watches, compact
// the history, and make the next calls fail.

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

#include "ferrum/kube/client.hpp"

namespace kubetest {

using ferrum::unexpected;
using namespace ferrum::kube;

class FakeApi final : public Client {
 public:
  // Makes the next matching call fail (verb: get, list, create, update, patch, delete, watch).
  void fail_next(const std::string& verb, Error e) {
    std::lock_guard l(mu_);
    failures_[verb].push_back(std::move(e));
  }
  // Ends every open watch normally (as a server timeout or restart would).
  void drop_watches() {
    std::lock_guard l(mu_);
    ++generation_;
    cv_.notify_all();
  }
  // While held, open watches deliver nothing (a network partition); events queue up.
  void hold_watches(bool held) {
    std::lock_guard l(mu_);
    held_ = held;
    cv_.notify_all();
  }
  // Forgets history: watches from before the current resourceVersion get 410.
  void compact() {
    std::lock_guard l(mu_);
    compacted_ = rv_;
    history_.clear();
    held_ = false;
    ++generation_;
    cv_.notify_all();
  }
  std::int64_t resource_version() const {
    std::lock_guard l(mu_);
    return rv_;
  }
  std::size_t count(const ResourceId& r) const {
    std::lock_guard l(mu_);
    std::size_t n = 0;
    for (const auto& [k, v] : objects_)
      if (k.first == r.plural) ++n;
    return n;
  }
  int calls(const std::string& verb) const {
    std::lock_guard l(mu_);
    auto it = calls_.find(verb);
    return it == calls_.end() ? 0 : it->second;
  }
  // Blocks until `n` watch calls are open.
  void wait_for_watchers(int n) const {
    std::unique_lock l(mu_);
    cv_.wait(l, [&] { return watchers_ >= n; });
  }
  // Direct writes that bypass the client (another actor changing the world).
  Json put_direct(const ResourceId& r, Json obj) {
    std::lock_guard l(mu_);
    auto k = key(r, obj);
    bool existed = objects_.count(k) > 0;
    return store(r, std::move(obj), existed ? EventType::kModified : EventType::kAdded);
  }
  bool delete_direct(const ResourceId& r, const std::string& ns, const std::string& name) {
    std::lock_guard l(mu_);
    auto it = objects_.find({r.plural, object_key(r.namespaced ? ns : "", name)});
    if (it == objects_.end()) return false;
    Json obj = it->second;
    objects_.erase(it);
    obj["metadata"]["resourceVersion"] = std::to_string(++rv_);
    record(r, EventType::kDeleted, obj);
    return true;
  }

  Result<Json> get(const ResourceId& r, std::string_view ns, std::string_view name) override {
    std::lock_guard l(mu_);
    if (auto f = failure("get")) return unexpected(*f);
    auto it = objects_.find({r.plural, object_key(r.namespaced ? ns : "", name)});
    if (it == objects_.end()) return unexpected(not_found(r, name));
    return it->second;
  }

  Result<Json> list(const ResourceId& r, std::string_view ns, const ListOptions& opts) override {
    std::lock_guard l(mu_);
    if (auto f = failure("list")) return unexpected(*f);
    Json items = Json::array();
    bool past = opts.continue_token.empty();
    std::string next;
    for (const auto& [k, v] : objects_) {
      if (k.first != r.plural) continue;
      if (!ns.empty() && namespace_of(v) != ns) continue;
      if (!past) {
        past = k.second > opts.continue_token;
        if (!past) continue;
      }
      if (opts.limit > 0 && static_cast<std::int64_t>(items.size()) == opts.limit) {
        next = object_key(items.back());
        break;
      }
      items.push_back(v);
    }
    Json list = {{"kind", "List"},
                 {"apiVersion", r.api_version()},
                 {"items", items},
                 {"metadata", {{"resourceVersion", std::to_string(rv_)}}}};
    if (!next.empty()) list["metadata"]["continue"] = next;
    return list;
  }

  Result<Json> create(const ResourceId& r, const Json& obj) override {
    std::lock_guard l(mu_);
    if (auto f = failure("create")) return unexpected(*f);
    Json o = obj;
    if (name_of(o).empty() && o["metadata"].contains("generateName"))
      o["metadata"]["name"] =
          o["metadata"]["generateName"].get<std::string>() + std::to_string(rv_ + 1);
    if (objects_.count(key(r, o)))
      return unexpected(
          Error{409, "AlreadyExists", r.plural + " \"" + name_of(o) + "\" already exists"});
    return store(r, std::move(o), EventType::kAdded);
  }

  Result<Json> update(const ResourceId& r, const Json& obj) override {
    return put(r, obj, "update");
  }
  Result<Json> update_status(const ResourceId& r, const Json& obj) override {
    return put(r, obj, "update");
  }

  Result<Json> patch(const ResourceId& r, std::string_view ns, std::string_view name,
                     PatchType type, const Json& patch, std::string_view) override {
    std::lock_guard l(mu_);
    if (auto f = failure("patch")) return unexpected(*f);
    auto it = objects_.find({r.plural, object_key(r.namespaced ? ns : "", name)});
    if (it == objects_.end()) return unexpected(not_found(r, name));
    Json o = it->second;
    try {
      if (type == PatchType::kJson)
        o = o.patch(patch);
      else
        o.merge_patch(patch);
    } catch (const std::exception& e) {
      return unexpected(Error{422, "Invalid", e.what()});
    }
    return store(r, std::move(o), EventType::kModified);
  }

  Result<Json> remove(const ResourceId& r, std::string_view ns, std::string_view name,
                      const DeleteOptions& opts) override {
    std::lock_guard l(mu_);
    if (auto f = failure("delete")) return unexpected(*f);
    auto it = objects_.find({r.plural, object_key(r.namespaced ? ns : "", name)});
    if (it == objects_.end()) return unexpected(not_found(r, name));
    if (opts.precondition_resource_version &&
        *opts.precondition_resource_version != resource_version_of(it->second))
      return unexpected(Error{409, "Conflict", "precondition failed"});
    Json obj = it->second;
    objects_.erase(it);
    obj["metadata"]["resourceVersion"] = std::to_string(++rv_);
    record(r, EventType::kDeleted, obj);
    return Json{{"kind", "Status"}, {"status", "Success"}};
  }

  Result<WatchEnd> watch(const ResourceId& r, std::string_view ns, const WatchOptions& opts,
                         const WatchHandler& handler, std::stop_token stop) override {
    std::unique_lock l(mu_);
    ++calls_["watch"];
    if (auto f = failure("watch")) return unexpected(*f);
    std::int64_t from = opts.resource_version.empty() ? rv_ : std::stoll(opts.resource_version);
    if (from < compacted_)
      return unexpected(Error{410, "Expired", "too old resource version: " + std::to_string(from)});
    const auto gen = generation_;
    WatchEnd end{opts.resource_version};
    ++watchers_;
    cv_.notify_all();
    std::size_t next = 0;
    bool go = true;
    while (go) {
      while (next < history_.size() && go && !held_) {
        const Ev& ev = history_[next++];
        if (ev.rv <= from || ev.plural != r.plural) continue;
        if (!ns.empty() && namespace_of(ev.obj) != ns) continue;
        WatchEvent we{ev.type, ev.obj};
        end.last_resource_version = std::to_string(ev.rv);
        l.unlock();  // handlers may call back into the API
        go = handler(std::move(we));
        l.lock();
      }
      if (!go) break;
      cv_.wait(l, stop, [&] { return (!held_ && next < history_.size()) || generation_ != gen; });
      if (stop.stop_requested()) {
        --watchers_;
        return unexpected(Error{0, "Cancelled", "watch cancelled"});
      }
      if (generation_ != gen) break;
    }
    --watchers_;
    return end;
  }

 private:
  struct Ev {
    std::int64_t rv;
    std::string plural;
    EventType type;
    Json obj;
  };

  static std::pair<std::string, std::string> key(const ResourceId& r, const Json& obj) {
    return {r.plural, object_key(r.namespaced ? namespace_of(obj) : "", name_of(obj))};
  }
  static Error not_found(const ResourceId& r, std::string_view name) {
    return Error{404, "NotFound", r.plural + " \"" + std::string(name) + "\" not found"};
  }
  std::optional<Error> failure(const std::string& verb) {
    ++calls_[verb];
    auto it = failures_.find(verb);
    if (it == failures_.end() || it->second.empty()) return std::nullopt;
    Error e = it->second.front();
    it->second.pop_front();
    return e;
  }
  Json store(const ResourceId& r, Json obj, EventType type) {
    obj["metadata"]["resourceVersion"] = std::to_string(++rv_);
    objects_[key(r, obj)] = obj;
    record(r, type, obj);
    return obj;
  }
  void record(const ResourceId& r, EventType type, const Json& obj) {
    history_.push_back({rv_, r.plural, type, obj});
    cv_.notify_all();
  }
  Result<Json> put(const ResourceId& r, const Json& obj, const std::string& verb) {
    std::lock_guard l(mu_);
    if (auto f = failure(verb)) return unexpected(*f);
    auto it = objects_.find(key(r, obj));
    if (it == objects_.end()) return unexpected(not_found(r, name_of(obj)));
    std::string want = resource_version_of(obj);
    if (!want.empty() && want != resource_version_of(it->second))
      return unexpected(Error{409, "Conflict",
                              "the object has been modified; please apply your changes to the "
                              "latest version and try again"});
    return store(r, obj, EventType::kModified);
  }

  mutable std::mutex mu_;
  mutable std::condition_variable_any cv_;
  std::int64_t rv_ = 100;
  std::int64_t compacted_ = 0;
  std::uint64_t generation_ = 0;
  int watchers_ = 0;
  bool held_ = false;
  std::map<std::pair<std::string, std::string>, Json> objects_;
  std::deque<Ev> history_;
  std::map<std::string, std::deque<Error>> failures_;
  std::map<std::string, int> calls_;
};

}  // namespace kubetest
