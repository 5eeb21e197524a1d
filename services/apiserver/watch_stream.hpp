#pragma once
// One watch: the store offers it events on the committer thread (cheap: queue and notify);
// the transport drains them on its own thread, where they are filtered (namespace, label
// and field selectors, with selector transitions turned into ADDED/DELETED as the real
// API server does), converted to the requested version, optionally wrapped as Tables, and
// encoded as newline-delimited JSON watch events.

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "object_store.hpp"
#include "resource_catalog.hpp"

namespace ferrum::apiserver {

class WatchStream final : public WatchSink {
 public:
  struct Options {
    std::string ns;  // empty: all namespaces
    std::function<bool(const json&)> matches;  // label + field selectors
    std::function<Expected<json, ApiError>(const json&)> present;  // storage -> wire object
    std::size_t max_queue = 10'000;
    std::string bookmark_kind;         // kind for bookmark objects
    std::string bookmark_api_version;  // apiVersion for bookmark objects
  };
  explicit WatchStream(Options opts) : opts_(std::move(opts)) {}

  bool offer(const WatchEvent& ev) override;
  // Queues a synthetic ADDED (initial state of a watch without a resourceVersion).
  void offer_initial(ObjectPtr obj, std::uint64_t rv);
  void set_notify(std::function<void()> fn);
  // The resourceVersion the watch starts from (what a bookmark reports before any event).
  void start_at(std::uint64_t rv);

  // Appends encoded lines for everything queued; false when the watcher overflowed and the
  // stream must end (the client re-watches from its last resourceVersion).
  bool drain(std::string& out);
  std::string bookmark_line() const;
  std::uint64_t last_rv() const;

 private:
  Options opts_;
  mutable std::mutex mu_;
  std::deque<WatchEvent> queue_;
  bool overflowed_ = false;
  std::uint64_t last_rv_ = 0;
  std::function<void()> notify_;
};

}  // namespace ferrum::apiserver
