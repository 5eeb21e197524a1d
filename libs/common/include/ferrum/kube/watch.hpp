#pragma once
// Watches: the event stream of one watch call, its line decoder, and a resuming watch loop.
//
// Contract:
// - A watch answer is a stream of JSON objects {"type": ..., "object": ...}, one per line.
//   WatchDecoder turns bytes (split anywhere) into events; a line that is not such an
//   object, or longer than the limit, is an error (the stream is then abandoned).
// - Watcher::watch() runs ONE watch call: ADDED/MODIFIED/DELETED/BOOKMARK events go to the
//   handler in order; it returns normally when the server ends the stream (timeoutSeconds
//   reached) or the handler returns false, and an Error when the call fails, when an ERROR
//   event arrives (built from its Status: 410 means the resourceVersion is too old) or
//   when `stop` is requested (Cancelled, promptly: the connection is aborted).
// - watch_resuming() strings watch calls together: each resumes from the last
//   resourceVersion seen (bookmarks included), failures are retried after an exponential
//   backoff, and it returns only when stopped (value: the last resourceVersion) or when
//   the resourceVersion is gone (Error with is_gone(): the caller must relist).

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>
#include <string_view>

#include "ferrum/clock.hpp"
#include "ferrum/expected.hpp"
#include "ferrum/kube/error.hpp"
#include "ferrum/kube/resource.hpp"

namespace ferrum::kube {

enum class EventType { kAdded, kModified, kDeleted, kBookmark, kError };
std::string_view event_type_name(EventType t);

struct WatchEvent {
  EventType type = EventType::kAdded;
  nlohmann::json object;
};

struct WatchOptions {
  std::string resource_version;  // "" = from now on (with synthetic ADDED for what exists)
  std::string label_selector;
  std::string field_selector;
  bool allow_bookmarks = true;
  // Server-side end of each watch call (timeoutSeconds); the client's own deadline is this
  // plus a margin, so a silent dead connection is noticed too.
  std::chrono::seconds timeout{300};
};

// The query string of a watch call: "?watch=1&resourceVersion=...&allowWatchBookmarks=true&...".
std::string watch_query(const WatchOptions& o);

// Returns false to end the watch call.
using WatchHandler = std::function<bool(WatchEvent&&)>;

struct WatchEnd {
  std::string last_resource_version;  // of the last event handed over, or the starting one
};

class WatchDecoder {
 public:
  explicit WatchDecoder(std::size_t max_line_bytes = 16u << 20) : max_line_(max_line_bytes) {}
  // Feeds bytes; calls `on_event` for every complete line. Returns the first error (and then
  // stops decoding) or nothing.
  std::optional<Error> feed(std::string_view data,
                            const std::function<bool(WatchEvent&&)>& on_event);
  // True when on_event returned false: the consumer wants no more events.
  bool stopped() const { return stopped_; }
  // Bytes of an incomplete line held back.
  std::size_t pending() const { return buf_.size(); }

  // One line -> event (exposed for tests).
  static Expected<WatchEvent, Error> parse_line(std::string_view line);

 private:
  std::size_t max_line_;
  std::string buf_;
  bool stopped_ = false;
};

class Watcher {
 public:
  virtual ~Watcher() = default;
  virtual Expected<WatchEnd, Error> watch(const ResourceId& r, std::string_view ns,
                                          const WatchOptions& opts, const WatchHandler& handler,
                                          std::stop_token stop) = 0;
};

struct WatchBackoff {
  std::chrono::milliseconds initial{800};  // client-go's reflector: 800ms doubling to 30s
  std::chrono::milliseconds max{30000};
  // A watch that lasted this long resets the backoff.
  std::chrono::seconds healthy_after{60};
};

// See the contract above. `on_retry` (optional) is told of every retried failure.
Expected<WatchEnd, Error> watch_resuming(Watcher& watcher, Clock& clock, const ResourceId& r,
                                         std::string_view ns, WatchOptions opts,
                                         const WatchHandler& handler, std::stop_token stop,
                                         const WatchBackoff& backoff = {},
                                         const std::function<void(const Error&)>& on_retry = {});

}  // namespace ferrum::kube
