#include <thread>

#include "ferrum/kube/leader_election.hpp"
#include "ferrum/kube/time.hpp"

namespace ferrum::kube {

std::optional<std::string> validate(const LeaderElectionSettings& s) {
  if (s.lease_name.empty()) return "leader election: lease name is empty";
  if (s.lease_namespace.empty()) return "leader election: lease namespace is empty";
  if (s.identity.empty()) return "leader election: identity is empty";
  if (s.retry_period <= Clock::Duration::zero())
    return "leader election: retry period must be positive";
  if (s.lease_duration <= s.renew_deadline)
    return "leader election: lease duration must be greater than renew deadline";
  if (std::chrono::duration<double>(s.renew_deadline).count() <=
      std::max(1.0, s.jitter_factor) * std::chrono::duration<double>(s.retry_period).count())
    return "leader election: renew deadline must be greater than retry period * jitter factor";
  return std::nullopt;
}

LeaderElector::LeaderElector(LeaderElectionSettings settings, Client& client, Clock& clock,
                             log::Logger logger, LeaderCallbacks callbacks)
    : settings_(std::move(settings)),
      client_(client),
      clock_(clock),
      log_(std::move(logger)),
      callbacks_(std::move(callbacks)),
      rng_(std::random_device{}()) {}

std::string LeaderElector::observed_leader() const {
  std::lock_guard l(mu_);
  return observed_holder_;
}

Clock::Duration LeaderElector::jittered(Clock::Duration d) {
  if (settings_.jitter_factor <= 0) return d;
  std::uniform_real_distribution<double> u(0.0, settings_.jitter_factor);
  return d + std::chrono::duration_cast<Clock::Duration>(d * u(rng_));
}

Json LeaderElector::lease_object(const Json& spec) const {
  return {{"apiVersion", "coordination.k8s.io/v1"},
          {"kind", "Lease"},
          {"metadata", {{"name", settings_.lease_name}, {"namespace", settings_.lease_namespace}}},
          {"spec", spec}};
}

bool LeaderElector::try_acquire_or_renew() {
  const auto lease = resources::leases();
  const auto wall = clock_.now();
  const auto now = clock_.monotonic();
  const auto duration_s =
      std::chrono::duration_cast<std::chrono::seconds>(settings_.lease_duration).count();
  std::string new_holder;
  bool ok = false;
  {
    auto got = client_.get(lease, settings_.lease_namespace, settings_.lease_name);
    std::lock_guard l(mu_);
    if (!got) {
      if (!is_not_found(got.error())) {
        log_.warn("lease read failed",
                  {{"lease", settings_.lease_namespace + "/" + settings_.lease_name},
                   {"error", got.error().describe()}});
        return false;
      }
      Json spec = {{"holderIdentity", settings_.identity},
                   {"leaseDurationSeconds", duration_s},
                   {"acquireTime", format_micro_time(wall)},
                   {"renewTime", format_micro_time(wall)},
                   {"leaseTransitions", 0}};
      auto created = client_.create(lease, lease_object(spec));
      if (!created) return false;  // someone else created it first: next round
      observed_spec_ = spec;
      observed_lease_ = *created;
      observed_time_ = now;
      if (observed_holder_ != settings_.identity) new_holder = settings_.identity;
      observed_holder_ = settings_.identity;
      ok = true;
    } else {
      Json old_spec = got->value("spec", Json::object());
      if (old_spec != observed_spec_) {
        observed_spec_ = old_spec;
        observed_time_ = now;  // expiry counts from when WE saw this record
      }
      observed_lease_ = *got;
      std::string holder = old_spec.value("holderIdentity", "");
      if (holder != observed_holder_) {
        observed_holder_ = holder;
        if (!holder.empty()) new_holder = holder;
      }
      const bool mine = holder == settings_.identity;
      const auto held_for = std::chrono::seconds(old_spec.value("leaseDurationSeconds", 0));
      if (!holder.empty() && !mine && observed_time_ + held_for > now) {
        // Held by someone else and not expired.
      } else {
        Json spec = old_spec;  // keeps fields we do not know
        spec["holderIdentity"] = settings_.identity;
        spec["leaseDurationSeconds"] = duration_s;
        spec["renewTime"] = format_micro_time(wall);
        if (!mine) {
          spec["acquireTime"] = format_micro_time(wall);
          spec["leaseTransitions"] = old_spec.value("leaseTransitions", 0) + 1;
        }
        Json obj = *got;
        obj["spec"] = spec;
        auto updated = client_.update(lease, obj);  // conditional on resourceVersion
        if (updated) {
          observed_spec_ = spec;
          observed_lease_ = *updated;
          observed_time_ = now;
          if (observed_holder_ != settings_.identity) new_holder = settings_.identity;
          observed_holder_ = settings_.identity;
          ok = true;
        }
      }
    }
  }
  if (!new_holder.empty()) {
    log_.info("new leader observed",
              {{"lease", settings_.lease_namespace + "/" + settings_.lease_name},
               {"leader", new_holder}});
    if (callbacks_.on_new_leader) callbacks_.on_new_leader(new_holder);
  }
  return ok;
}

void LeaderElector::release() {
  Json obj;
  {
    std::lock_guard l(mu_);
    if (observed_lease_.is_null() ||
        observed_spec_.value("holderIdentity", "") != settings_.identity)
      return;
    obj = observed_lease_;
  }
  const auto wall = clock_.now();
  Json spec = obj.value("spec", Json::object());
  spec["holderIdentity"] = "";
  spec["leaseDurationSeconds"] = 1;
  spec["acquireTime"] = format_micro_time(wall);
  spec["renewTime"] = format_micro_time(wall);
  obj["spec"] = spec;
  auto r = client_.update(resources::leases(), obj);
  if (!r)
    log_.warn("lease release failed", {{"error", r.error().describe()}});
  else
    log_.info("lease released",
              {{"lease", settings_.lease_namespace + "/" + settings_.lease_name}});
}

void LeaderElector::run(std::stop_token stop) {
  const std::string lease_name = settings_.lease_namespace + "/" + settings_.lease_name;
  log_.info("campaigning", {{"lease", lease_name}, {"identity", settings_.identity}});
  for (;;) {
    if (stop.stop_requested()) return;
    if (try_acquire_or_renew()) break;
    if (!clock_.sleep_for(jittered(settings_.retry_period), stop)) return;
  }
  leading_ = true;
  log_.info("started leading", {{"lease", lease_name}, {"identity", settings_.identity}});
  std::stop_source lead;
  std::jthread work;
  if (callbacks_.on_started_leading)
    work = std::jthread([this, t = lead.get_token()] { callbacks_.on_started_leading(t); });

  bool stopped = false;
  auto last_renew = clock_.monotonic();
  for (;;) {
    if (!clock_.sleep_for(settings_.retry_period, stop)) {
      stopped = true;
      break;
    }
    if (try_acquire_or_renew()) {
      last_renew = clock_.monotonic();
      continue;
    }
    if (clock_.monotonic() - last_renew >= settings_.renew_deadline) {
      log_.error("leadership lost: could not renew within the renew deadline",
                 {{"lease", lease_name}});
      break;
    }
  }
  leading_ = false;
  lead.request_stop();
  if (work.joinable()) work.join();
  if (stopped && settings_.release_on_cancel) release();
  log_.info("stopped leading", {{"lease", lease_name}, {"identity", settings_.identity}});
  if (callbacks_.on_stopped_leading) callbacks_.on_stopped_leading();
}

}  // namespace ferrum::kube
