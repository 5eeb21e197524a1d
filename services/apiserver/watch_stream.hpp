#pragma once
// One watch: the store offers it events on the committer thread (cheap: queue and notify);
// the transport drains them on its own thread, where they are filtered (namespace, label
// and field selectors, with selector transitions turned into ADDED/DELETED as the real
// API server does), converted to the requested version, optionally wrapped as Tables, and
// encoded as newline-delimited JSON watch events.
//
// Memory (what a stalled client can pin): the initial state is a snapshot of object
// pointers shared with the store, encoded a chunk at a time as the client reads, as
// kube-apiserver's watch cache serves initial events from a cacheInterval over a store
// snapshot (staging/src/k8s.io/apiserver/pkg/storage/cacher/watch_cache_interval.go); each
// drain encodes at most about kChunkBytes; and the queue of events not yet encoded is
// bounded in events and in bytes (the stored size of their objects). A watcher whose queue
// is full is dropped, as the cacher terminates a watcher whose buffer stays full
// (staging/src/k8s.io/apiserver/pkg/storage/cacher/cache_watcher.go, cacheWatcher.add:
// "Forcing ... watcher close due to unresponsiveness", counted in
// apiserver_terminated_watchers_total); its queue and snapshot are freed at once, the
// transport closes the connection even with a write in flight, and the client re-watches
// from its last resourceVersion or relists.
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "object_store.hpp"
#include "resource_catalog.hpp"

namespace ferrum::apiserver {

class WatchStream final : public WatchSink {
 public:
  // Encoded bytes one drain() produces at most (plus one event): what a watcher whose client
  // does not read holds besides its queue.
  static constexpr std::size_t kChunkBytes = 64 * 1024;

  struct Options {
    std::string ns;  // empty: all namespaces
    std::function<bool(const json&)> matches;  // label + field selectors
    std::function<Expected<json, ApiError>(const json&)> present;  // storage -> wire object
    std::size_t max_queue = 10'000;                                // events queued, not yet encoded
    std::size_t max_queue_bytes = 16u << 20;                       // their objects' stored size
    std::string bookmark_kind;         // kind for bookmark objects
    std::string bookmark_api_version;  // apiVersion for bookmark objects
  };
  explicit WatchStream(Options opts) : opts_(std::move(opts)) {}

  bool offer(const WatchEvent& ev) override;
  // The initial state of a watch without a resourceVersion (synthetic ADDED events, sent
  // before anything offered), already filtered by the selectors.
  void set_initial(std::vector<ObjectPtr> objects);
  void set_notify(std::function<void()> fn);
  // The resourceVersion the watch starts from (what a bookmark reports before any event).
  void start_at(std::uint64_t rv);

  // Appends encoded lines for what is pending, stopping once `out` holds `budget` bytes;
  // false when the watcher overflowed and the stream must end (the client re-watches from
  // its last resourceVersion, or relists on 410).
  bool drain(std::string& out, std::size_t budget = kChunkBytes);
  bool overflowed() const;
  bool pending() const;  // something is left to drain
  std::string bookmark_line() const;
  std::uint64_t last_rv() const;
  std::size_t queued_bytes() const;

 private:
  // Appends one event's line, or nothing when the selectors filter it out.
  void encode(const WatchEvent& ev, std::string& out) const;

  Options opts_;
  mutable std::mutex mu_;
  std::vector<ObjectPtr> initial_;  // released one by one as they are encoded
  std::size_t initial_next_ = 0;
  std::deque<WatchEvent> queue_;
  std::size_t queued_bytes_ = 0;
  bool overflowed_ = false;
  std::uint64_t last_rv_ = 0;
  std::function<void()> notify_;
};

}  // namespace ferrum::apiserver
