#include <algorithm>

#include "ferrum/kube/watch.hpp"

namespace ferrum::kube {

std::string_view event_type_name(EventType t) {
  switch (t) {
    case EventType::kAdded:
      return "ADDED";
    case EventType::kModified:
      return "MODIFIED";
    case EventType::kDeleted:
      return "DELETED";
    case EventType::kBookmark:
      return "BOOKMARK";
    case EventType::kError:
      return "ERROR";
  }
  return "?";
}

Expected<WatchEvent, Error> WatchDecoder::parse_line(std::string_view line) {
  auto bad = [&](const std::string& why) {
    return unexpected(Error{0, std::string(kReasonBadResponse), "watch stream: " + why});
  };
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("line is not a JSON object");
  auto t = j.find("type");
  if (t == j.end() || !t->is_string()) return bad("event without a type");
  auto o = j.find("object");
  if (o == j.end() || !o->is_object()) return bad("event without an object");
  WatchEvent ev;
  const std::string& ts = t->get_ref<const std::string&>();
  if (ts == "ADDED")
    ev.type = EventType::kAdded;
  else if (ts == "MODIFIED")
    ev.type = EventType::kModified;
  else if (ts == "DELETED")
    ev.type = EventType::kDeleted;
  else if (ts == "BOOKMARK")
    ev.type = EventType::kBookmark;
  else if (ts == "ERROR")
    ev.type = EventType::kError;
  else
    return bad("unknown event type \"" + ts + "\"");
  ev.object = std::move(*o);
  return ev;
}

std::optional<Error> WatchDecoder::feed(std::string_view data,
                                        const std::function<bool(WatchEvent&&)>& on_event) {
  if (stopped_) return std::nullopt;
  buf_.append(data);
  std::size_t start = 0;
  for (;;) {
    auto nl = buf_.find('\n', start);
    if (nl == std::string::npos) break;
    std::string_view line(buf_.data() + start, nl - start);
    start = nl + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) continue;
    auto ev = parse_line(line);
    if (!ev) {
      buf_.clear();
      return ev.error();
    }
    if (!on_event(std::move(*ev))) {
      stopped_ = true;
      buf_.clear();
      return std::nullopt;
    }
  }
  buf_.erase(0, start);
  if (buf_.size() > max_line_) {
    buf_.clear();
    return Error{0, std::string(kReasonBadResponse),
                 "watch stream: event longer than " + std::to_string(max_line_) + " bytes"};
  }
  return std::nullopt;
}

Expected<WatchEnd, Error> watch_resuming(Watcher& watcher, Clock& clock, const ResourceId& r,
                                         std::string_view ns, WatchOptions opts,
                                         const WatchHandler& handler, std::stop_token stop,
                                         const WatchBackoff& backoff,
                                         const std::function<void(const Error&)>& on_retry) {
  std::chrono::milliseconds delay = backoff.initial;
  WatchEnd last{opts.resource_version};
  bool handler_done = false;
  std::size_t events = 0;
  const WatchHandler wrapped = [&](WatchEvent&& ev) {
    ++events;
    std::string rv = resource_version_of(ev.object);
    if (!rv.empty()) last.last_resource_version = rv;
    if (!handler(std::move(ev))) {
      handler_done = true;
      return false;
    }
    return true;
  };
  while (!stop.stop_requested()) {
    opts.resource_version = last.last_resource_version;
    const auto started = clock.monotonic();
    events = 0;
    auto res = watcher.watch(r, ns, opts, wrapped, stop);
    if (handler_done) return last;
    if (res && (events > 0 || clock.monotonic() - started >= std::chrono::seconds(1))) {
      // The server ended the call (timeoutSeconds): resume at once.
      if (clock.monotonic() - started >= backoff.healthy_after) delay = backoff.initial;
      continue;
    }
    // A watch closed at once without events is a failure too (client-go's reflector: "very
    // short watch"), else a server that keeps closing would be hammered.
    const Error err =
        res ? Error{0, std::string(kReasonTransport), "watch closed at once without events"}
            : res.error();
    if (is_cancelled(err) || stop.stop_requested()) return last;
    if (is_gone(err)) return unexpected(err);
    if (on_retry) on_retry(err);
    if (clock.monotonic() - started >= backoff.healthy_after) delay = backoff.initial;
    if (!clock.sleep_for(delay, stop)) return last;
    delay = std::min(delay * 2, backoff.max);
  }
  return last;
}

}  // namespace ferrum::kube
