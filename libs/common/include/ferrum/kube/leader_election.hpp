#pragma once
// Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics.
//
// Contract (client-go leaderelection):
// - A candidate tries to acquire or renew the Lease every retry_period (plus up to
//   jitter_factor * retry_period of random jitter while not leading). It acquires it when
//   the Lease does not exist, has no holder, or its record (holder, times, transitions) has
//   not changed for leaseDurationSeconds as observed on this candidate's own monotonic
//   clock — never by comparing renewTime with local wall time, so clock skew between
//   machines does not matter.
// - Acquiring sets holderIdentity, leaseDurationSeconds, acquireTime, renewTime (MicroTime
//   "2006-01-02T15:04:05.000000Z") and bumps leaseTransitions when the holder changes;
//   renewing only moves renewTime. Writes are conditional on resourceVersion, so two
//   candidates never both win one round.
// - A leader that cannot renew for renew_deadline stops leading: the stop token given to
//   on_started_leading is triggered, its thread joined, on_stopped_leading called, and
//   run() returns (as client-go's Run does; a daemon then exits and restarts).
// - On `stop`, a leader with release_on_cancel clears holderIdentity so another candidate
//   takes over at once instead of after the lease duration.
// - Required: lease_duration > renew_deadline > retry_period (defaults 15s / 10s / 2s).

#include <atomic>
#include <functional>
#include <mutex>
#include <random>
#include <stop_token>
#include <string>

#include "ferrum/clock.hpp"
#include "ferrum/expected.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/log.hpp"

namespace ferrum::kube {

struct LeaderElectionSettings {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;  // unique per process: hostname + "_" + a random suffix is usual
  Clock::Duration lease_duration = std::chrono::seconds(15);
  Clock::Duration renew_deadline = std::chrono::seconds(10);
  Clock::Duration retry_period = std::chrono::seconds(2);
  double jitter_factor = 1.2;
  bool release_on_cancel = false;
};

// Checks the contract's ordering and non-empty names; the error names the setting.
std::optional<std::string> validate(const LeaderElectionSettings& s);

struct LeaderCallbacks {
  // Runs on its own thread while leading; `stop` fires when leadership ends.
  std::function<void(std::stop_token stop)> on_started_leading;
  std::function<void()> on_stopped_leading;
  // Another identity (or ours) was observed holding the lease.
  std::function<void(const std::string& identity)> on_new_leader;
};

class LeaderElector {
 public:
  LeaderElector(LeaderElectionSettings settings, Client& client, Clock& clock, log::Logger logger,
                LeaderCallbacks callbacks);

  // Campaigns until leading, leads until leadership is lost or `stop`; see the contract.
  void run(std::stop_token stop);
  bool is_leader() const { return leading_.load(); }
  std::string observed_leader() const;

  // One acquire-or-renew round (exposed for tests): true when this candidate holds the lease.
  bool try_acquire_or_renew();

 private:
  void release();
  Clock::Duration jittered(Clock::Duration d);
  Json lease_object(const Json& spec) const;

  LeaderElectionSettings settings_;
  Client& client_;
  Clock& clock_;
  log::Logger log_;
  LeaderCallbacks callbacks_;
  std::atomic<bool> leading_{false};
  mutable std::mutex mu_;
  Json observed_spec_;
  Json observed_lease_;  // the whole object we last read or wrote (for resourceVersion)
  Clock::MonoTime observed_time_{};
  std::string observed_holder_;
  std::mt19937_64 rng_;
};

}  // namespace ferrum::kube
