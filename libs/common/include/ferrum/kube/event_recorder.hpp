#pragma once
// Kubernetes Events (core/v1) about the objects a daemon works on, as `kubectl describe`
// shows them.
//
// Contract:
// - record() never blocks the caller: events go into a bounded queue and one background
//   thread writes them; when the queue is full the event is dropped and counted
//   (ferrum_events_dropped_total when a registry is given).
// - An event repeating an earlier one (same object, type, reason, message) within the
//   aggregation cache is not written again: the earlier Event's count is bumped and its
//   lastTimestamp moved, with a merge patch (client-go's EventCorrelator does the same).
//   If that Event is gone (expired), a new one is created.
// - Events live in the involved object's namespace, "default" for cluster-scoped objects;
//   names are "<object name>.<hex nanoseconds>" as client-go makes them.
// - Write failures are logged at debug level and counted; events are best effort.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "ferrum/clock.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/log.hpp"
#include "ferrum/metrics.hpp"

namespace ferrum::kube {

enum class EventKind { kNormal, kWarning };

struct EventRecorderSettings {
  std::string component;  // source.component, e.g. "ferrum-reconciler"
  std::string host;       // source.host (optional)
  std::size_t queue_limit = 1000;
  std::size_t aggregation_cache = 4096;  // distinct recent events remembered for counting
  metrics::Registry* registry = nullptr;
};

class EventRecorder {
 public:
  EventRecorder(EventRecorderSettings settings, Writer& writer, Clock& clock, log::Logger logger);
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // `involved` is the object itself (or any JSON with apiVersion, kind, metadata.name/
  // namespace/uid); only those fields are kept.
  void record(const Json& involved, EventKind kind, std::string reason, std::string message);
  void normal(const Json& involved, std::string reason, std::string message) {
    record(involved, EventKind::kNormal, std::move(reason), std::move(message));
  }
  void warning(const Json& involved, std::string reason, std::string message) {
    record(involved, EventKind::kWarning, std::move(reason), std::move(message));
  }

  std::uint64_t dropped() const;
  std::uint64_t failed() const;
  // Blocks until every queued event has been written (or failed).
  void flush();

 private:
  struct Pending {
    Json involved;
    EventKind kind;
    std::string reason;
    std::string message;
    Clock::WallTime when;
  };
  struct Seen {
    std::string ns;
    std::string name;
    std::int64_t count = 1;
    std::list<std::string>::iterator lru;
  };

  void loop(std::stop_token stop);
  void write(const Pending& p);
  void remember(const std::string& key, Seen seen);

  EventRecorderSettings settings_;
  Writer& writer_;
  Clock& clock_;
  log::Logger log_;

  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  std::condition_variable idle_cv_;
  std::deque<Pending> queue_;
  bool busy_ = false;
  std::uint64_t dropped_ = 0;
  std::uint64_t failed_ = 0;
  metrics::Counter* dropped_metric_ = nullptr;

  // Aggregation cache, touched only by the writer thread.
  std::unordered_map<std::string, Seen> seen_;
  std::list<std::string> lru_;
  unsigned long long last_nanos_ = 0;

  std::jthread worker_;
};

}  // namespace ferrum::kube
