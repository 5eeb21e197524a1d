#include "watch_stream.hpp"

#include "ferrum/json_text.hpp"

namespace ferrum::apiserver {

bool WatchStream::offer(const WatchEvent& ev) {
  std::function<void()> notify;
  bool kept;
  {
    std::lock_guard lock(mu_);
    if (overflowed_) return false;
    // One event larger than the byte bound still goes through an empty queue: the bound is
    // on lag, and an object the store accepted must reach a watcher that keeps up.
    bool full = queue_.size() >= opts_.max_queue ||
                (!queue_.empty() && queued_bytes_ + ev.bytes > opts_.max_queue_bytes);
    if (full) {
      overflowed_ = true;
      // Nothing queued will be sent any more: free it now, not when the client goes away.
      queue_ = {};
      queued_bytes_ = 0;
      initial_ = {};
      initial_next_ = 0;
    } else {
      queue_.push_back(ev);
      queued_bytes_ += ev.bytes;
    }
    kept = !overflowed_;
    notify = notify_;
  }
  if (notify) notify();  // also when overflowed: the transport ends the stream
  return kept;
}

void WatchStream::set_initial(std::vector<ObjectPtr> objects) {
  std::lock_guard lock(mu_);
  initial_ = std::move(objects);
  initial_next_ = 0;
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

void WatchStream::encode(const WatchEvent& ev, std::string& out) const {
  bool now = ev.object && in_namespace(*ev.object, opts_.ns) &&
             (!opts_.matches || opts_.matches(*ev.object));
  bool before = ev.previous && in_namespace(*ev.previous, opts_.ns) &&
                (!opts_.matches || opts_.matches(*ev.previous));
  std::string type;
  if (ev.type == "ADDED") {
    if (!now) return;
    type = "ADDED";
  } else if (ev.type == "MODIFIED") {
    if (now && before) {
      type = "MODIFIED";
    } else if (now) {
      type = "ADDED";
    } else if (before) {
      type = "DELETED";  // left the selection
    } else {
      return;
    }
  } else {  // DELETED: the object carries its last state
    if (!now && !before) return;
    type = "DELETED";
  }
  auto wire = opts_.present(*ev.object);
  json line;
  if (wire) {
    line = {{"type", type}, {"object", std::move(*wire)}};
  } else {
    line = {{"type", "ERROR"}, {"object", wire.error().status()}};
  }
  out += json_text::dump(line);
  out += '\n';
}

bool WatchStream::drain(std::string& out, std::size_t budget) {
  // One event at a time under the lock, encoded outside it: the committer thread offering
  // events never waits for an encoding, and a drain stops at its budget.
  while (out.size() < budget) {
    WatchEvent ev;
    {
      std::lock_guard lock(mu_);
      if (overflowed_) return false;
      if (initial_next_ < initial_.size()) {
        // The initial state: already filtered by the selectors when it was listed.
        ev.type = "ADDED";
        ev.object = std::move(initial_[initial_next_++]);
        if (initial_next_ == initial_.size()) {
          initial_ = {};
          initial_next_ = 0;
        }
      } else if (!queue_.empty()) {
        ev = std::move(queue_.front());
        queue_.pop_front();
        queued_bytes_ -= ev.bytes;
        if (ev.rv > last_rv_) last_rv_ = ev.rv;
      } else {
        break;
      }
    }
    encode(ev, out);
  }
  std::lock_guard lock(mu_);
  return !overflowed_;
}

bool WatchStream::overflowed() const {
  std::lock_guard lock(mu_);
  return overflowed_;
}

bool WatchStream::pending() const {
  std::lock_guard lock(mu_);
  return !overflowed_ && (initial_next_ < initial_.size() || !queue_.empty());
}

std::size_t WatchStream::queued_bytes() const {
  std::lock_guard lock(mu_);
  return queued_bytes_;
}

std::string WatchStream::bookmark_line() const {
  json line = {{"type", "BOOKMARK"},
               {"object",
                {{"kind", opts_.bookmark_kind},
                 {"apiVersion", opts_.bookmark_api_version},
                 {"metadata", {{"resourceVersion", std::to_string(last_rv())}}}}}};
  return json_text::dump(line) + "\n";
}

std::uint64_t WatchStream::last_rv() const {
  std::lock_guard lock(mu_);
  return last_rv_;
}

}  // namespace ferrum::apiserver
