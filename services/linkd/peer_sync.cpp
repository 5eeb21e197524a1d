#include "peer_sync.hpp"

#include <chrono>

namespace ferrum::linkd {

PeerSync::PeerSync(WgDevice& device, PeerSyncSettings settings, metrics::Registry& registry,
                   log::Logger log)
    : device_(device),
      settings_(settings),
      log_(std::move(log)),
      peers_(registry.gauge("linkd_peers", "WireGuard peers configured on the device").get()),
      with_handshake_(registry
                          .gauge("linkd_peers_with_handshake",
                                 "Peers that completed a handshake within --stale-handshake-after")
                          .get()),
      stale_(registry
                 .gauge("linkd_peers_stale",
                        "Peers without a handshake for --stale-handshake-after (or never)")
                 .get()),
      handshakes_(registry
                      .counter("linkd_handshakes_total",
                               "Handshakes seen (a peer's last handshake time moved)")
                      .get()),
      changes_(registry.counter("linkd_peer_changes_total",
                                "Peer changes written to the device by operation", {"op"})),
      syncs_(registry.counter("linkd_peer_syncs_total", "Device writes by result", {"result"})),
      duration_(registry
                    .histogram("linkd_peer_sync_duration_seconds",
                               "Time of one device write (all changes of a batch)",
                               metrics::exponential_buckets(0.0001, 2, 18))
                    .get()) {}

void PeerSync::set_peer(const std::string& name, const std::optional<DesiredPeer>& peer) {
  std::lock_guard lock(mu_);
  auto it = wishes_.find(name);
  if (peer) {
    if (it != wishes_.end() && it->second == *peer) return;
    wishes_[name] = *peer;
  } else {
    if (it == wishes_.end()) return;
    wishes_.erase(it);
  }
  ++wish_generation_;
  cv_.notify_all();
}

PeerSet PeerSync::desired_locked() const {
  PeerSet s;
  for (const auto& [name, p] : wishes_) s[p.public_key] = p.allowed_ip;
  return s;
}

bool PeerSync::healthy() const {
  std::lock_guard lock(mu_);
  return healthy_;
}

bool PeerSync::wait_applied(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  auto want = wish_generation_;
  return cv_.wait_for(lock, timeout, [&] { return applied_generation_ >= want; });
}

void PeerSync::read_back(std::int64_t now_sec) {
  auto st = device_.status();
  if (!st) {
    log_.error("reading the device failed", {{"error", st.error()}});
    applied_known_ = false;
    std::lock_guard lock(mu_);
    healthy_ = false;
    return;
  }
  applied_ = peer_set_of(*st);
  applied_known_ = true;
  double fresh = 0;
  double stale = 0;
  auto stale_after =
      std::chrono::duration_cast<std::chrono::seconds>(settings_.stale_after).count();
  std::map<WgKey, std::int64_t> seen;
  for (const auto& p : st->peers) {
    auto prev = last_handshake_.find(p.public_key);
    if (p.last_handshake_sec != 0 &&
        (prev == last_handshake_.end() || prev->second != p.last_handshake_sec)) {
      handshakes_.inc();
    }
    seen[p.public_key] = p.last_handshake_sec;
    if (p.last_handshake_sec != 0 && now_sec - p.last_handshake_sec <= stale_after) {
      fresh += 1;
    } else {
      stale += 1;
    }
  }
  last_handshake_ = std::move(seen);
  with_handshake_.set(fresh);
  stale_.set(stale);
  peers_.set(static_cast<double>(st->peers.size()));
  std::lock_guard lock(mu_);
  healthy_ = true;
}

void PeerSync::run(std::stop_token stop) {
  using Clock = std::chrono::steady_clock;
  auto next_check = Clock::now();
  std::uint64_t done_generation = 0;
  bool retry = false;
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(mu_);
      auto wake = retry ? Clock::now() + std::chrono::seconds(1) : next_check;
      cv_.wait_until(lock, stop, wake,
                     [&] { return !retry && wish_generation_ != done_generation; });
      if (stop.stop_requested()) return;
    }
    bool due = Clock::now() >= next_check;
    bool pending;
    {
      std::lock_guard lock(mu_);
      pending = wish_generation_ != done_generation;
    }
    if (pending && !due && settings_.batch_delay.count() > 0) {
      // Gather the rest of a burst (a watch relist, many Provision calls) into one write.
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, stop, settings_.batch_delay, [] { return false; });
      if (stop.stop_requested()) return;
    }
    auto now_sec = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    if (due || !applied_known_) {
      read_back(now_sec);
      next_check = Clock::now() + settings_.check_period;
      if (!applied_known_) {
        retry = true;
        continue;
      }
    }
    PeerSet desired;
    std::uint64_t generation;
    {
      std::lock_guard lock(mu_);
      desired = desired_locked();
      generation = wish_generation_;
    }
    auto changes = diff_peers(applied_, desired, 0);
    if (!changes.empty()) {
      auto start = Clock::now();
      DeviceChange change;
      change.peers = changes;
      auto err = device_.apply(change);
      duration_.observe(std::chrono::duration<double>(Clock::now() - start).count());
      if (!err.empty()) {
        syncs_.with({"error"}).inc();
        log_.error("peer update failed", {{"error", err}, {"changes", changes.size()}});
        applied_known_ = false;  // partly applied: read back before the next diff
        retry = true;
        continue;
      }
      syncs_.with({"ok"}).inc();
      std::size_t adds = 0, updates = 0, removes = 0;
      for (const auto& c : changes) {
        if (c.remove) {
          ++removes;
        } else if (applied_.contains(c.public_key)) {
          ++updates;
        } else {
          ++adds;
        }
      }
      changes_.with({"add"}).inc(static_cast<double>(adds));
      changes_.with({"update"}).inc(static_cast<double>(updates));
      changes_.with({"remove"}).inc(static_cast<double>(removes));
      log_.info(
          "peers updated",
          {{"added", adds}, {"updated", updates}, {"removed", removes}, {"peers", desired.size()}});
      applied_ = desired;
      peers_.set(static_cast<double>(applied_.size()));
    }
    retry = false;
    done_generation = generation;
    std::lock_guard lock(mu_);
    healthy_ = true;
    applied_generation_ = generation;
    cv_.notify_all();
  }
}

}  // namespace ferrum::linkd
