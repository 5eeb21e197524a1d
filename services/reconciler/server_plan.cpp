#include "server_plan.hpp"

#include "ferrum/model/kinds.hpp"

namespace ferrum::reconciler {

namespace {

using model::Condition;
using model::kConditionPowerCycle;
using model::kConditionPXEBooted;

Condition condition(std::string_view type, std::string_view status, std::string_view severity,
                    std::string_view reason, std::string message) {
  return Condition{std::string(type),   std::string(status), std::string(severity),
                   std::string(reason), std::move(message),  std::nullopt};
}

void set_power_status(model::Server& s, const ServerFacts& f) {
  s.set_power(power_text(f.has_bmc ? f.powered_on : std::nullopt));
}

}  // namespace

std::string_view power_action_name(PowerAction a) {
  switch (a) {
    case PowerAction::kNone:
      return "none";
    case PowerAction::kPowerOn:
      return "power-on";
    case PowerAction::kPowerOff:
      return "power-off";
    case PowerAction::kPowerCycle:
      return "power-cycle";
  }
  return "none";
}

std::string_view power_text(std::optional<bool> powered_on) {
  if (!powered_on) return model::kPowerUnknown;
  return *powered_on ? model::kPowerOn : model::kPowerOff;
}

std::string pxe_mode_for(const model::Server& server, const std::string& default_mode) {
  auto mode = server.pxe_mode();
  if (mode && model::is_valid_pxe_mode(*mode)) return *mode;
  return default_mode;
}

std::optional<std::chrono::seconds> wipe_in_progress_for(const model::Server& server,
                                                         model::Timestamp now,
                                                         std::chrono::seconds timeout) {
  auto c = server.condition(kConditionPowerCycle);
  if (!c || c->status != model::kStatusFalse || c->reason != kReasonInProgress) {
    return std::nullopt;
  }
  // A condition without a time cannot say how old it is: treat it as expired, so a wipe is
  // never waited for forever.
  if (!c->last_transition_time) return std::nullopt;
  auto deadline = *c->last_transition_time + timeout;
  if (now >= deadline) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::seconds>(deadline - now);
}

namespace {

// The state machine proper; plan_server adds what every managed Server shares.
ServerPlan decide(const model::Server& server, const ServerFacts& f) {
  ServerPlan plan{FinalizerChange::kNone, server, PowerAction::kNone, {}, false, false, {}, {}, {}};
  model::Server& d = plan.desired;
  auto event = [&plan](bool warning, std::string reason, std::string message) {
    plan.events.push_back({warning, std::move(reason), std::move(message), false});
  };

  if (!server.accepted()) {
    // Sidero's rule: an unaccepted Server is neither ready nor clean; nothing else is touched.
    if (server.ready()) d.set_ready(false);
    if (server.is_clean()) d.set_is_clean(false);
    return plan;
  }

  if (server.is_being_deleted()) {
    if (!server.has_finalizer(model::kServerFinalizer)) return plan;
    if (f.allocated) {
      event(true, "DeletionBlocked",
            "Server is allocated to " + f.bound_to + "; deletion waits until it is released");
      return plan;
    }
    plan.finalizer = FinalizerChange::kRemove;
    return plan;
  }
  if (!server.has_finalizer(model::kServerFinalizer)) plan.finalizer = FinalizerChange::kAdd;

  set_power_status(d, f);
  const std::string mode = pxe_mode_for(server, f.default_pxe_mode);

  if (f.allocated) {
    if (server.in_use() && server.is_clean()) {
      // The agent reported a wipe while the Server is bound: nothing here can say which is
      // true, so nothing is changed but the report.
      if (d.set_condition(condition(kConditionConsistent, model::kStatusFalse,
                                    model::kSeverityError, "AllocatedAndClean",
                                    "Server is allocated to " + f.bound_to +
                                        " but status.isClean is true; nothing is changed until "
                                        "an operator resolves it"),
                          f.now)) {
        event(true, "AllocatedAndClean",
              "Server is allocated to " + f.bound_to +
                  " and reported clean at the same time; leaving it alone");
      }
      d.set_ready(false);
      return plan;
    }
    d.remove_condition(kConditionConsistent);
    if (!server.in_use()) {
      event(false, "Allocated", "Server allocated to " + f.bound_to);
    }
    d.set_in_use(true);
    d.set_is_clean(false);
    d.set_ready(true);
    // An existing PXEBooted=True is left as it is (Sidero's carries no reason): rewriting it
    // would only announce an installation that happened long ago.
    if (f.installed && !server.is_condition_true(kConditionPXEBooted)) {
      if (d.set_condition(condition(kConditionPXEBooted, model::kStatusTrue, "", "TalosInstalled",
                                    "the binding reports TalosInstalled; later PXE requests "
                                    "boot from disk"),
                          f.now)) {
        event(false, "PXEBooted", "installation reported by the binding; PXEBooted=True");
      }
    }
    if (!f.has_bmc) plan.missing_bmc = true;
    if (f.has_bmc && f.powered_on && !*f.powered_on) {
      plan.action = PowerAction::kPowerOn;
      plan.boot_mode = mode;
    }
    return plan;
  }

  d.remove_condition(kConditionConsistent);
  if (d.remove_condition(kConditionPXEBooted)) {
    // Released: the next owner's installation has to be reported again.
  }
  if (server.in_use()) {
    event(false, "Released", "Server released (no ServerBinding); it is dirty and gets wiped");
    d.set_in_use(false);
    d.set_is_clean(false);
  }

  if (d.is_clean()) {
    d.set_ready(true);
    if (f.has_bmc && f.powered_on && *f.powered_on) plan.action = PowerAction::kPowerOff;
    return plan;
  }

  // Dirty and free: it needs a wipe.
  d.set_ready(false);
  if (auto left = wipe_in_progress_for(server, f.now, f.reboot_timeout)) {
    plan.requeue_after = *left + std::chrono::seconds(1);
    return plan;
  }
  if (!f.has_bmc) {
    plan.missing_bmc = true;  // wiped when someone powers it on by hand
    return plan;
  }
  if (auto c = server.condition(kConditionPowerCycle);
      c && c->status == model::kStatusFalse && c->reason == kReasonInProgress) {
    event(true, "WipeTimedOut",
          "no heartbeat from the agent within " + std::to_string(f.reboot_timeout.count()) +
              "s of the last; power cycling again");
  }
  // Remove first so the condition gets a fresh lastTransitionTime even when it was False.
  d.remove_condition(kConditionPowerCycle);
  d.set_condition(condition(kConditionPowerCycle, model::kStatusFalse, model::kSeverityInfo,
                            kReasonInProgress, "power cycled into the agent environment to wipe"),
                  f.now);
  plan.action = PowerAction::kPowerCycle;
  plan.boot_mode = mode;
  plan.cycle_intent = true;
  plan.requeue_after = f.reboot_timeout + std::chrono::seconds(1);
  return plan;
}

}  // namespace

ServerPlan plan_server(const model::Server& server, const ServerFacts& facts) {
  ServerFacts f = facts;
  if (!f.bmc_unusable.empty()) {
    f.has_bmc = false;
    f.powered_on = std::nullopt;
  }
  ServerPlan plan = decide(server, f);
  if (!server.accepted() || server.is_being_deleted()) return plan;

  if (!f.bmc_unusable.empty()) {
    // Credentials missing or unusable: an operator has to fix the Server or its Secret.
    plan.events.push_back({true, std::string(kEventBmcUnusable),
                           "cannot use the Server's BMC: " + f.bmc_unusable, true});
  } else if (plan.missing_bmc && !server.bmc() && !server.management_api()) {
    plan.events.push_back({true, std::string(kEventNoBmc),
                           "Server has no spec.bmc and no spec.managementApi: it is not powered "
                           "by Ferrum; power it on by hand to wipe or boot it",
                           true});
  }
  if (!f.has_bmc) return plan;
  if (!f.power_read_error.empty()) {
    plan.desired.set_power(model::kPowerUnknown);
    plan.events.push_back(
        {true, "PowerStateUnknown", "cannot read the power state: " + f.power_read_error, false});
    plan.error = "power state: " + f.power_read_error;
  }
  // BMCs misreport: a managed Server's power is read again every check period.
  if (f.power_check_period > std::chrono::milliseconds::zero() &&
      (plan.requeue_after == std::chrono::milliseconds::zero() ||
       f.power_check_period < plan.requeue_after)) {
    plan.requeue_after = f.power_check_period;
  }
  return plan;
}

void settle_power(ServerPlan& plan, const ServerFacts& f,
                  const std::optional<std::string>& failure) {
  if (plan.action == PowerAction::kNone) return;
  const std::string action(power_action_name(plan.action));
  if (failure) {
    plan.events.push_back({true, "PowerFailed", action + " failed: " + *failure, false});
    plan.desired.set_power(model::kPowerUnknown);
    if (plan.action == PowerAction::kPowerCycle) {
      // Not in progress after all: say so, so the retry does not wait for the timeout.
      plan.desired.set_condition(
          condition(kConditionPowerCycle, model::kStatusFalse, model::kSeverityWarning,
                    kReasonPowerCycleFailed, *failure),
          f.now);
    }
    plan.error = action + ": " + *failure;
    return;
  }
  plan.desired.set_power(plan.action == PowerAction::kPowerOff ? model::kPowerOff
                                                               : model::kPowerOn);
  const std::string pxe = plan.boot_mode.empty() ? "" : "PXE boot (" + plan.boot_mode + ") set, ";
  switch (plan.action) {
    case PowerAction::kPowerOn:
      plan.events.push_back({false, "PoweredOn",
                             pxe + "powered on to boot its environment for " + f.bound_to, false});
      break;
    case PowerAction::kPowerOff:
      plan.events.push_back({false, "PoweredOff", "clean and not allocated: powered off", false});
      break;
    case PowerAction::kPowerCycle:
      plan.events.push_back(
          {false, "PowerCycled", pxe + "power cycled into the agent environment to wipe", false});
      break;
    case PowerAction::kNone:
      break;
  }
}

}  // namespace ferrum::reconciler
