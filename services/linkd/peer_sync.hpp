#pragma once
// Keeps the WireGuard device's peers equal to what the ServerBindings ask for.
//
// Informer handlers (and Provision, so a new node need not wait for the watch) call
// set_peer(), which only records the wish and wakes the sync thread: changes arriving within
// --peer-batch-delay go to the device in one write, and peers that did not change are not
// sent (diff_peers). Every --peer-check-period the device is read back: that refreshes the
// handshake metrics and re-adds peers a restarted device lost. A failed write is retried
// after a read-back.
//
// Metrics: linkd_peers (configured), linkd_peers_with_handshake, linkd_peers_stale (no
// handshake for --stale-handshake-after, or never), linkd_handshakes_total,
// linkd_peer_changes_total{op}, linkd_peer_syncs_total{result},
// linkd_peer_sync_duration_seconds.

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

#include "ferrum/log.hpp"
#include "ferrum/metrics.hpp"
#include "link_plan.hpp"
#include "wg_device.hpp"

namespace ferrum::linkd {

struct PeerSyncSettings {
  std::chrono::milliseconds batch_delay{50};
  std::chrono::milliseconds check_period{15000};
  std::chrono::milliseconds stale_after{5 * 60 * 1000};
};

class PeerSync {
 public:
  PeerSync(WgDevice& device, PeerSyncSettings settings, metrics::Registry& registry,
           log::Logger log);

  // The peer of ServerBinding `name` (nullopt: none).
  void set_peer(const std::string& name, const std::optional<DesiredPeer>& peer);
  void run(std::stop_token stop);
  // Blocks until every wish recorded before the call is on the device (true) or `timeout`
  // passes (false). For tests and the benchmark.
  bool wait_applied(std::chrono::milliseconds timeout);
  // True after the first successful write or read-back.
  bool healthy() const;

 private:
  PeerSet desired_locked() const;
  void read_back(std::int64_t now_sec);

  WgDevice& device_;
  PeerSyncSettings settings_;
  log::Logger log_;
  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  std::map<std::string, DesiredPeer> wishes_;
  std::uint64_t wish_generation_ = 0;
  std::uint64_t applied_generation_ = 0;
  bool healthy_ = false;

  PeerSet applied_;  // sync thread only
  bool applied_known_ = false;
  std::map<WgKey, std::int64_t> last_handshake_;

  metrics::Gauge& peers_;
  metrics::Gauge& with_handshake_;
  metrics::Gauge& stale_;
  metrics::Counter& handshakes_;
  metrics::Family<metrics::Counter>& changes_;
  metrics::Family<metrics::Counter>& syncs_;
  metrics::Histogram& duration_;
};

}  // namespace ferrum::linkd
