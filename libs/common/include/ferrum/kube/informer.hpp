#pragma once
// Informer: list + watch of one resource into a local, indexed, thread-safe cache, with
// add/update/delete handlers (client-go's shared informer, minus the sharing).
//
// Contract:
// - run(stop) lists everything (paged), replaces the cache, then watches from the list's
//   resourceVersion, resuming after disconnects with backoff (watch.hpp). When the watch
//   says the resourceVersion is gone (410) it lists again and replaces the cache, handing
//   the handlers what changed in the gap: adds for new objects, updates for objects whose
//   resourceVersion moved, deletes (with the last known state) for objects that vanished —
//   as client-go's DeltaFIFO Replace does. Failed lists are retried with backoff.
// - The cache is updated before handlers hear of a change, so a handler reading the cache
//   sees at least that state. Handlers run one at a time, in event order, on the informer's
//   thread (or the resync thread, never both at once): they must be quick and not block
//   (enqueue a key into a controller's queue and return).
// - Every `resync_period` (0 = never) every cached object is handed to on_update(obj, obj)
//   again, so level-based controllers revisit everything periodically.
// - has_synced() turns true after the first list is in the cache and stays true.
// - Indexes and handlers are registered before run().

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <shared_mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "ferrum/clock.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/log.hpp"

namespace ferrum::kube {

using ObjectPtr = std::shared_ptr<const Json>;
using IndexFunc = std::function<std::vector<std::string>(const Json& obj)>;

// Index by metadata.namespace (client-go's NamespaceIndex).
IndexFunc namespace_index();
// Index by the value of one label (objects without it are not indexed).
IndexFunc label_index(std::string label);

// The cache: objects by key ("ns/name" or "name") plus indexes. Thread-safe; readers get
// shared pointers to immutable objects, so reading never copies a whole object.
class ObjectStore {
 public:
  void add_index(const std::string& name, IndexFunc fn);

  ObjectPtr get(const std::string& key) const;
  std::vector<ObjectPtr> list() const;
  std::vector<std::string> keys() const;
  std::size_t size() const;
  // Grows with every write that changes the content (upsert, erase, a replace with changes),
  // once the change is visible to readers. A value derived from reads made after
  // generation() returned G is current for as long as generation() still returns G.
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // Objects whose index `name` yields `value`; empty for an unknown index.
  std::vector<ObjectPtr> by_index(const std::string& name, const std::string& value) const;
  std::vector<std::string> keys_by_index(const std::string& name, const std::string& value) const;

  // Writers (the informer): return the previous object, if any.
  ObjectPtr upsert(const std::string& key, ObjectPtr obj);
  ObjectPtr erase(const std::string& key);

  struct Change {
    ObjectPtr old_obj;  // null: added
    ObjectPtr new_obj;  // null: deleted
  };
  // Swaps the whole content at once (readers never see a half-replaced cache) and returns
  // what changed: adds, updates (resourceVersion moved), deletes.
  std::vector<Change> replace(std::vector<std::pair<std::string, ObjectPtr>> objects);

 private:
  void index_locked(const std::string& key, const Json& obj, bool add);

  mutable std::shared_mutex mu_;
  std::atomic<std::uint64_t> generation_{0};
  std::map<std::string, ObjectPtr> objects_;
  std::map<std::string, IndexFunc> index_fns_;
  std::map<std::string, std::map<std::string, std::set<std::string>>> indexes_;
};

struct EventHandlers {
  std::function<void(const Json& obj)> on_add;
  std::function<void(const Json& old_obj, const Json& new_obj)> on_update;
  std::function<void(const Json& obj)> on_delete;  // the last known state
};

struct InformerSettings {
  ResourceId resource;
  std::string ns;  // "" = all namespaces (or cluster-scoped)
  std::string label_selector;
  std::string field_selector;
  Clock::Duration resync_period{0};
  std::int64_t page_size = 500;
  std::chrono::seconds watch_timeout{300};
  WatchBackoff backoff;
};

class Informer {
 public:
  Informer(InformerSettings settings, Client& client, Clock& clock, log::Logger logger);

  void add_index(const std::string& name, IndexFunc fn) { store_.add_index(name, std::move(fn)); }
  void add_handlers(EventHandlers h);

  void run(std::stop_token stop);
  bool has_synced() const;
  // Blocks until synced (true) or stopped (false).
  bool wait_for_sync(std::stop_token stop) const;

  const ObjectStore& store() const { return store_; }
  // Lists done so far (1 + relists); for tests and metrics.
  int lists_for_test() const;

 private:
  void replace(std::vector<Json>& items);
  bool apply(WatchEvent&& ev);
  void resync_loop(std::stop_token stop);
  void notify_add(const Json& obj);
  void notify_update(const Json& old_obj, const Json& new_obj);
  void notify_delete(const Json& obj);

  InformerSettings settings_;
  Client& client_;
  Clock& clock_;
  log::Logger log_;
  ObjectStore store_;
  std::vector<EventHandlers> handlers_;
  std::mutex deliver_mu_;  // one delivery sequence at a time
  mutable std::mutex sync_mu_;
  mutable std::condition_variable_any sync_cv_;
  bool synced_ = false;
  int lists_ = 0;
};

}  // namespace ferrum::kube
