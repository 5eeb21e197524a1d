#pragma once
// The in-memory object store with durable group commit and watch fan-out.
//
// Contract:
// - Every object lives in memory (storage version JSON, immutable once stored: readers share
//   it by shared_ptr) and in the DurableStore. resourceVersions are one global counter.
// - mutate() decides a write under the store's write lock (the Mutator sees the current
//   object and returns the new one, nothing for a delete, or an error), assigns the next
//   resourceVersion, applies it in memory, and queues it for the committer thread, which
//   writes queued mutations in one transaction (group commit) and only then calls each
//   `done` and publishes the watch events, in resourceVersion order. So a write is
//   acknowledged only once durable, and watchers never see a write that was not.
// - Reads see the in-memory state, which may include writes whose commit is in flight. If a
//   commit fails the process cannot keep its promise and aborts (as databases do on fsync
//   errors); on restart memory is rebuilt from disk.
// - Watches: a history ring of events, bounded in events and in bytes (the stored size of
//   their objects, which the ring may be the last to hold), as kube-apiserver's watch cache
//   is bounded (staging/src/k8s.io/apiserver/pkg/storage/cacher/watch_cache.go, capacity).
//   A watcher starting at resourceVersion R gets every event after R for its resource
//   exactly once; if events after R were evicted (or R predates this process's start), or
//   replaying them would overflow the watcher's bounded queue, it gets `gone` (410: the
//   client relists).

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api_error.hpp"
#include "durable_store.hpp"
#include "ferrum/expected.hpp"

namespace ferrum::apiserver {

using json = nlohmann::json;
using ObjectPtr = std::shared_ptr<const json>;

struct WatchEvent {
  std::uint64_t rv = 0;
  std::string resource;
  std::string type;  // ADDED, MODIFIED, DELETED
  ObjectPtr object;  // for DELETED, the last state
  ObjectPtr previous;  // the state before (MODIFIED, DELETED), for selector transitions
  std::size_t bytes = 0;  // the stored (JSON) size of `object`: what memory bounds count
};

// Receives events on the committer thread; must not block. Returning false means the
// watcher cannot keep up (its bounded queue is full) and is dropped.
class WatchSink {
 public:
  virtual ~WatchSink() = default;
  virtual bool offer(const WatchEvent& ev) = 0;
};

struct MutationResult {
  ObjectPtr object;        // the stored object (nullptr when deleted)
  ObjectPtr previous;      // what was there before (nullptr when created)
  bool changed = true;     // false: the mutator returned the current object unchanged
};

// What a Mutator decides.
struct Decision {
  enum class Kind { kWrite, kDelete, kUnchanged } kind = Kind::kWrite;
  json object;  // for kWrite
  static Decision write(json o) { return {Kind::kWrite, std::move(o)}; }
  static Decision remove() { return {Kind::kDelete, json()}; }
  static Decision unchanged() { return {Kind::kUnchanged, json()}; }
};

using Mutator = std::function<Expected<Decision, ApiError>(const json* current)>;
using MutationDone = std::function<void(Expected<MutationResult, ApiError>)>;

class ObjectStore {
 public:
  // history_size: events kept for resuming watches; history_bytes: their objects' size.
  ObjectStore(DurableStore& durable, std::size_t history_size,
              std::size_t history_bytes = 256u << 20);
  ~ObjectStore();

  // Loads everything from disk; returns the number of objects.
  std::size_t load();
  void start();
  void stop();

  ObjectPtr get(const std::string& resource, const std::string& ns, const std::string& name) const;

  struct ListResult {
    std::vector<ObjectPtr> items;
    std::uint64_t rv = 0;
    std::string next_key;  // non-empty when limit cut the list: resume after this key
  };
  // Objects of `resource` (in namespace `ns` unless empty) in key order, starting after
  // `after_key`, passing `filter`, at most `limit` (0 = all).
  ListResult list(const std::string& resource, const std::string& ns, const std::string& after_key,
                  std::size_t limit, const std::function<bool(const json&)>& filter) const;
  // Every object of every resource whose ownerReferences name `uid` (for garbage collection).
  std::vector<std::pair<std::string, ObjectPtr>> owned_by(const std::string& uid) const;

  void mutate(const std::string& resource, const std::string& ns, const std::string& name,
              const Mutator& mutator, MutationDone done);

  // Registers a watcher from resourceVersion `from`; replays retained events after it.
  Expected<std::uint64_t, ApiError> watch(const std::string& resource, std::uint64_t from,
                                          std::shared_ptr<WatchSink> sink);
  void unwatch(const WatchSink* sink);

  std::uint64_t current_rv() const;
  std::uint64_t committed_rv() const;
  std::size_t object_count() const;
  std::size_t watcher_count() const;
  std::uint64_t watchers_dropped() const { return dropped_.load(); }  // could not keep up
  std::size_t history_bytes() const;
  std::uint64_t commits() const { return commits_.load(); }

  static std::string key(const std::string& ns, const std::string& name) { return ns + "/" + name; }

 private:
  struct Pending {
    RowWrite write;
    WatchEvent event;
    MutationDone done;
    MutationResult result;
  };
  void run_committer();
  void publish(const WatchEvent& ev);

  DurableStore& durable_;
  const std::size_t history_size_;
  const std::size_t history_bytes_limit_;

  mutable std::shared_mutex mu_;  // guards objects_ and rv_
  std::unordered_map<std::string, std::map<std::string, ObjectPtr>> objects_;
  std::uint64_t rv_ = 0;
  std::size_t count_ = 0;

  std::mutex pending_mu_;
  std::condition_variable pending_cv_;
  std::vector<Pending> pending_;
  bool stopping_ = false;
  std::thread committer_;
  std::atomic<std::uint64_t> committed_rv_{0};
  std::atomic<std::uint64_t> commits_{0};

  mutable std::mutex watch_mu_;  // guards history_, watchers_, evicted_up_to_
  std::deque<WatchEvent> history_;
  std::size_t history_bytes_ = 0;
  std::uint64_t evicted_up_to_ = 0;
  std::atomic<std::uint64_t> dropped_{0};
  struct WatcherEntry {
    std::string resource;
    std::uint64_t from;
    std::shared_ptr<WatchSink> sink;
  };
  std::vector<WatcherEntry> watchers_;
};

}  // namespace ferrum::apiserver
