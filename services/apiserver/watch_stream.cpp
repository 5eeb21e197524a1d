#include "watch_stream.hpp"

namespace ferrum::apiserver {

bool WatchStream::offer(const WatchEvent& ev) {
  std::function<void()> notify;
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= opts_.max_queue) {
      overflowed_ = true;
    } else {
      queue_.push_back(ev);
    }
    notify = notify_;
  }
  if (notify) notify();
  return !overflowed_;
}

void WatchStream::offer_initial(ObjectPtr obj, std::uint64_t rv) {
  std::lock_guard lock(mu_);
  queue_.push_back(WatchEvent{rv, "", "ADDED", std::move(obj), nullptr});
}

void WatchStream::start_at(std::uint64_t rv) {
  std::lock_guard lock(mu_);
  last_rv_ = rv;
}

void WatchStream::set_notify(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  notify_ = std::move(fn);
}

static bool in_namespace(const json& obj, const std::string& ns) {
  if (ns.empty()) return true;
  const auto& md = obj["metadata"];
  return md.value("namespace", "") == ns;
}

bool WatchStream::drain(std::string& out) {
  std::deque<WatchEvent> events;
  bool overflowed;
  {
    std::lock_guard lock(mu_);
    events.swap(queue_);
    overflowed = overflowed_;
  }
  std::uint64_t max_rv = 0;
  for (const auto& ev : events) {
    if (ev.rv > max_rv) max_rv = ev.rv;
    bool now = ev.object && in_namespace(*ev.object, opts_.ns) && (!opts_.matches || opts_.matches(*ev.object));
    bool before = ev.previous && in_namespace(*ev.previous, opts_.ns) &&
                  (!opts_.matches || opts_.matches(*ev.previous));
    std::string type;
    if (ev.type == "ADDED") {
      if (!now) continue;
      type = "ADDED";
    } else if (ev.type == "MODIFIED") {
      if (now && before) {
        type = "MODIFIED";
      } else if (now) {
        type = "ADDED";
      } else if (before) {
        type = "DELETED";  // left the selection
      } else {
        continue;
      }
    } else {  // DELETED: the object carries its last state
      if (!now && !before) continue;
      type = "DELETED";
    }
    auto wire = opts_.present(*ev.object);
    json line;
    if (wire) {
      line = {{"type", type}, {"object", std::move(*wire)}};
    } else {
      line = {{"type", "ERROR"}, {"object", wire.error().status()}};
    }
    out += line.dump(-1, ' ', false, json::error_handler_t::replace);
    out += '\n';
  }
  std::lock_guard lock(mu_);
  if (max_rv > last_rv_) last_rv_ = max_rv;
  return !overflowed;
}

std::string WatchStream::bookmark_line() const {
  json line = {{"type", "BOOKMARK"},
               {"object",
                {{"kind", opts_.bookmark_kind},
                 {"apiVersion", opts_.bookmark_api_version},
                 {"metadata", {{"resourceVersion", std::to_string(last_rv())}}}}}};
  return line.dump() + "\n";
}

std::uint64_t WatchStream::last_rv() const {
  std::lock_guard lock(mu_);
  return last_rv_;
}

}  // namespace ferrum::apiserver
