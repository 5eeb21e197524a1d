// The Server controller: gathers the facts, lets plan_server decide, carries the plan out.
#include "controllers.hpp"
#include "ferrum/kube/typed.hpp"
#include "ferrum/model/kinds.hpp"
#include "ferrum/model/server_binding.hpp"

namespace ferrum::reconciler {

namespace {

const kube::ResourceId& servers_resource() {
  static const kube::ResourceId r = kube::resource_of(model::kServer);
  return r;
}

bool has_bmc(const model::Server& s) {
  if (auto b = s.bmc(); b && !b->endpoint.empty()) return true;
  if (auto m = s.management_api(); m && !m->endpoint.empty()) return true;
  return false;
}

kube::ReconcileError retriable(std::string msg) {
  return kube::ReconcileError{std::move(msg), false};
}

}  // namespace

ServerController::ServerController(Deps deps, PowerControl& power)
    : d_(std::move(deps)), power_(power) {
  power_ops_ = &d_.registry.counter("ferrum_reconciler_power_operations_total",
                                    "Power and boot-device operations sent to ferrum-bmcd, by "
                                    "operation and result.",
                                    {"operation", "result"});
}

void ServerController::count(PowerAction a, const char* result) {
  power_ops_->with({std::string(power_action_name(a)), result}).inc();
}

std::optional<bool> ServerController::cached_power(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = power_memo_.find(key);
  if (it == power_memo_.end()) return std::nullopt;
  if (d_.clock.monotonic() - it->second.checked >= d_.settings.power_check_period) {
    return std::nullopt;
  }
  return it->second.on;
}

void ServerController::remember_power(const std::string& key, bool on) {
  std::lock_guard lock(mu_);
  power_memo_[key] = PowerMemo{on, d_.clock.monotonic()};
}

Outcome ServerController::reconcile(const std::string& key, std::stop_token) {
  auto obj = d_.caches.servers->store().get(key);
  if (!obj) {
    std::lock_guard lock(mu_);
    power_memo_.erase(key);
    fence_.forget(key);
    once_.clear_all(key);
    return kube::ReconcileResult{};
  }
  model::Server server(*obj);
  if (fence_.stale(key, server.resource_version())) return kube::ReconcileResult{};

  ServerFacts f;
  f.now = now_seconds(d_.clock);
  f.reboot_timeout =
      std::chrono::duration_cast<std::chrono::seconds>(d_.settings.server_reboot_timeout);
  f.default_pxe_mode = d_.settings.ipmi_pxe_method;
  if (auto b = d_.caches.bindings->store().get(key)) {
    model::ServerBinding binding(*b);
    f.allocated = true;
    auto ref = binding.metal_machine_ref();
    f.bound_to = ref.namespace_ + "/" + ref.name;
    f.installed = binding.is_condition_true(model::kConditionTalosInstalled);
  }
  f.has_bmc = has_bmc(server);

  std::optional<std::string> power_failure;
  const bool wants_power = server.accepted() && !server.is_being_deleted() && f.has_bmc;
  if (wants_power) {
    f.powered_on = cached_power(key);
    if (!f.powered_on) {
      auto st = power_.power_state(key);
      if (st) {
        once_.clear(key, "BMCUnusable");
        remember_power(key, *st);
        f.powered_on = *st;
      } else if (st.error().kind == PowerError::Kind::kGone) {
        return kube::ReconcileResult{};  // the cache hears of the deletion soon
      } else if (st.error().kind == PowerError::Kind::kNoBmc) {
        // Credentials missing or unusable: an operator has to fix the Server or its Secret.
        if (once_.first(key, "BMCUnusable")) {
          d_.events.warning(server.raw(), "BMCUnusable",
                            "cannot use the Server's BMC: " + st.error().message);
        }
        f.has_bmc = false;
      } else {
        power_failure = st.error().message;
        count(PowerAction::kNone, "state-error");
      }
    }
  }

  ServerPlan plan = plan_server(server, f);
  for (const auto& e : plan.events) {
    d_.events.record(server.raw(), e.warning ? kube::EventKind::kWarning : kube::EventKind::kNormal,
                     e.reason, e.message);
  }
  if (plan.missing_bmc) {
    if (server.bmc() == std::nullopt && server.management_api() == std::nullopt &&
        once_.first(key, "NoBMC")) {
      d_.events.warning(server.raw(), "NoBMC",
                        "Server has no spec.bmc and no spec.managementApi: it is not powered by "
                        "Ferrum; power it on by hand to wipe or boot it");
    }
  } else {
    once_.clear(key, "NoBMC");
  }

  // Finalizer changes go first: they replace metadata, and the status write must carry the
  // resourceVersion that comes back.
  if (plan.finalizer != FinalizerChange::kNone) {
    model::Server meta(*obj);
    if (plan.finalizer == FinalizerChange::kAdd) {
      meta.add_finalizer(model::kServerFinalizer);
    } else {
      meta.remove_finalizer(model::kServerFinalizer);
    }
    auto updated = d_.client.update(servers_resource(), meta.raw());
    if (!updated) return unexpected(retriable("finalizer: " + updated.error().describe()));
    fence_.wrote(key, server.resource_version());
    if (plan.finalizer == FinalizerChange::kRemove) return kube::ReconcileResult{};
    plan.desired.set_resource_version(model::Object(*updated).resource_version());
    plan.desired.raw()["metadata"] = (*updated)["metadata"];
  }

  std::string rv_written_over = plan.desired.resource_version();
  auto write_status = [&](const model::Server& desired) -> Expected<Done, kube::ReconcileError> {
    static const kube::Json kNone;
    const auto& want = desired.raw().contains("status") ? desired.raw()["status"] : kNone;
    const auto& have = server.raw().contains("status") ? server.raw()["status"] : kNone;
    if (want == have) return Done{};
    auto r = d_.client.update_status(servers_resource(), desired.raw());
    if (!r) return unexpected(retriable("status: " + r.error().describe()));
    fence_.wrote(key, rv_written_over);
    rv_written_over = model::Object(*r).resource_version();
    server = model::Server(std::move(*r));
    return Done{};
  };

  if (plan.cycle_intent) {
    // The intent (PowerCycle=False/InProgress) is durable before the machine is touched.
    if (auto w = write_status(plan.desired); !w) return unexpected(w.error());
    plan.desired = server;
  }

  if (plan.action != PowerAction::kNone) {
    Expected<Done, PowerError> r = Done{};
    if (!plan.boot_mode.empty()) {
      r = power_.set_pxe_boot(key, plan.boot_mode);
      count(plan.action, r ? "pxe-set" : "pxe-error");
    }
    if (r) {
      switch (plan.action) {
        case PowerAction::kPowerOn:
          r = power_.power_on(key);
          break;
        case PowerAction::kPowerOff:
          r = power_.power_off(key);
          break;
        case PowerAction::kPowerCycle:
          r = power_.power_cycle(key);
          break;
        case PowerAction::kNone:
          break;
      }
    }
    if (r) {
      count(plan.action, "ok");
      const bool on = plan.action != PowerAction::kPowerOff;
      remember_power(key, on);
      plan.desired.set_power(on ? model::kPowerOn : model::kPowerOff);
      std::string pxe = plan.boot_mode.empty() ? "" : "PXE boot (" + plan.boot_mode + ") set, ";
      switch (plan.action) {
        case PowerAction::kPowerOn:
          d_.events.normal(server.raw(), "PoweredOn",
                           pxe + "powered on to boot its environment for " + f.bound_to);
          break;
        case PowerAction::kPowerOff:
          d_.events.normal(server.raw(), "PoweredOff", "clean and not allocated: powered off");
          break;
        case PowerAction::kPowerCycle:
          d_.events.normal(server.raw(), "PowerCycled",
                           pxe + "power cycled into the agent environment to wipe");
          break;
        case PowerAction::kNone:
          break;
      }
    } else {
      count(plan.action, "error");
      d_.events.warning(
          server.raw(), "PowerFailed",
          std::string(power_action_name(plan.action)) + " failed: " + r.error().message);
      plan.desired.set_power(model::kPowerUnknown);
      {
        std::lock_guard lock(mu_);
        power_memo_.erase(key);
      }
      if (plan.action == PowerAction::kPowerCycle) {
        // Not in progress after all: say so, so the retry does not wait for the timeout.
        plan.desired.set_condition(
            model::Condition{std::string(model::kConditionPowerCycle),
                             std::string(model::kStatusFalse), std::string(model::kSeverityWarning),
                             std::string(kReasonPowerCycleFailed), r.error().message, std::nullopt},
            f.now);
      }
      (void)write_status(plan.desired);
      return unexpected(
          retriable(std::string(power_action_name(plan.action)) + ": " + r.error().message));
    }
  } else if (power_failure) {
    plan.desired.set_power(model::kPowerUnknown);
  }

  if (auto w = write_status(plan.desired); !w) return unexpected(w.error());
  if (power_failure) {
    d_.events.warning(server.raw(), "PowerStateUnknown",
                      "cannot read the power state: " + *power_failure);
    return unexpected(retriable("power state: " + *power_failure));
  }

  kube::ReconcileResult result;
  auto requeue = std::chrono::duration_cast<Clock::Duration>(plan.requeue_after);
  if (wants_power && f.has_bmc) {
    auto check = std::chrono::duration_cast<Clock::Duration>(d_.settings.power_check_period);
    if (requeue == Clock::Duration::zero() || check < requeue) requeue = check;
  }
  result.requeue_after = requeue;
  return result;
}

}  // namespace ferrum::reconciler
