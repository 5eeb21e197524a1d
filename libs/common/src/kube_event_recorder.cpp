#include <algorithm>
#include <cstdio>

#include "ferrum/kube/event_recorder.hpp"
#include "ferrum/kube/time.hpp"

namespace ferrum::kube {

EventRecorder::EventRecorder(EventRecorderSettings settings, Writer& writer, Clock& clock,
                             log::Logger logger)
    : settings_(std::move(settings)), writer_(writer), clock_(clock), log_(std::move(logger)) {
  if (settings_.registry != nullptr)
    dropped_metric_ =
        &settings_.registry
             ->counter("ferrum_events_dropped_total", "Kubernetes Events dropped on a full queue.")
             .get();
  worker_ = std::jthread([this](std::stop_token st) { loop(st); });
}

EventRecorder::~EventRecorder() {
  worker_.request_stop();
  cv_.notify_all();
  worker_.join();
}

void EventRecorder::record(const Json& involved, EventKind kind, std::string reason,
                           std::string message) {
  Json ref = Json::object();
  for (const char* f : {"apiVersion", "kind"})
    if (involved.contains(f)) ref[f] = involved[f];
  if (auto m = involved.find("metadata"); m != involved.end() && m->is_object()) {
    for (const char* f : {"name", "namespace", "uid", "resourceVersion"})
      if (m->contains(f)) ref[f] = (*m)[f];
  }
  std::lock_guard l(mu_);
  if (queue_.size() >= settings_.queue_limit) {
    ++dropped_;
    if (dropped_metric_) dropped_metric_->inc();
    return;
  }
  queue_.push_back({std::move(ref), kind, std::move(reason), std::move(message), clock_.now()});
  cv_.notify_one();
}

std::uint64_t EventRecorder::dropped() const {
  std::lock_guard l(mu_);
  return dropped_;
}

std::uint64_t EventRecorder::failed() const {
  std::lock_guard l(mu_);
  return failed_;
}

void EventRecorder::flush() {
  std::unique_lock l(mu_);
  idle_cv_.wait(l, [&] { return queue_.empty() && !busy_; });
}

void EventRecorder::loop(std::stop_token stop) {
  std::unique_lock l(mu_);
  for (;;) {
    cv_.wait(l, stop, [&] { return !queue_.empty(); });
    if (queue_.empty()) break;  // stopped
    Pending p = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    l.unlock();
    write(p);
    l.lock();
    busy_ = false;
    idle_cv_.notify_all();
  }
  busy_ = false;
  idle_cv_.notify_all();
}

void EventRecorder::remember(const std::string& key, Seen seen) {
  if (auto it = seen_.find(key); it != seen_.end()) {
    lru_.erase(it->second.lru);
    seen_.erase(it);
  }
  lru_.push_front(key);
  seen.lru = lru_.begin();
  seen_.emplace(key, std::move(seen));
  while (seen_.size() > settings_.aggregation_cache) {
    seen_.erase(lru_.back());
    lru_.pop_back();
  }
}

void EventRecorder::write(const Pending& p) {
  const std::string type = p.kind == EventKind::kWarning ? "Warning" : "Normal";
  const std::string obj_name = p.involved.value("name", "");
  std::string ns = p.involved.value("namespace", "");
  if (ns.empty()) ns = "default";
  const std::string key = p.involved.value("apiVersion", "") + "|" + p.involved.value("kind", "") +
                          "|" + ns + "|" + obj_name + "|" + p.involved.value("uid", "") + "|" +
                          type + "|" + p.reason + "|" + p.message;
  const std::string ts = format_time(p.when);
  const auto events = resources::events();

  if (auto it = seen_.find(key); it != seen_.end()) {
    Seen s = it->second;
    Json patch = {{"count", s.count + 1}, {"lastTimestamp", ts}};
    auto r = writer_.patch(events, s.ns, s.name, PatchType::kMerge, patch);
    if (r) {
      s.count += 1;
      remember(key, s);
      return;
    }
    if (!is_not_found(r.error())) {
      std::lock_guard l(mu_);
      ++failed_;
      log_.debug("event update failed", {{"event", s.name}, {"error", r.error().describe()}});
      return;
    }
    // The earlier Event expired: start a new one below.
  }

  // Names must be unique: nanoseconds, kept strictly increasing within this recorder.
  auto nanos = static_cast<unsigned long long>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(p.when.time_since_epoch()).count());
  nanos = std::max(nanos, last_nanos_ + 1);
  last_nanos_ = nanos;
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, ".%llx", nanos);
  Json ev = {{"apiVersion", "v1"},
             {"kind", "Event"},
             {"metadata", {{"name", obj_name + suffix}, {"namespace", ns}}},
             {"involvedObject", p.involved},
             {"reason", p.reason},
             {"message", p.message},
             {"type", type},
             {"source", {{"component", settings_.component}}},
             {"count", 1},
             {"firstTimestamp", ts},
             {"lastTimestamp", ts},
             {"reportingComponent", settings_.component},
             {"reportingInstance", settings_.host}};
  if (!settings_.host.empty()) ev["source"]["host"] = settings_.host;
  auto r = writer_.create(events, ev);
  if (!r) {
    std::lock_guard l(mu_);
    ++failed_;
    log_.debug("event create failed", {{"reason", p.reason}, {"error", r.error().describe()}});
    return;
  }
  remember(key, Seen{ns, name_of(*r), 1, {}});
}

}  // namespace ferrum::kube
