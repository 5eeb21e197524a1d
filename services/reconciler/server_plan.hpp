#pragma once
// The Server lifecycle of DESIGN.md 5 as a pure function: given a Server, whether it is
// allocated, and what is known of its power, decide the status to write, the power action to
// take and the Events to record. No sockets, no clock: the controller gathers the facts and
// carries the plan out (server_controller.hpp).
//
// Contract:
// - Not accepted: status.ready=false and status.isClean=false, nothing else (no finalizer, no
//   power, no power field); a Server whose status already says so is not written at all.
// - Being deleted: no power; the finalizer goes once the Server is not allocated.
// - Allocated and not yet in use: inUse=true, isClean=false (the allocation transition).
//   Allocated, in use and clean cannot happen: Consistent=False and a Warning, nothing else.
//   Allocated: powered off => PXE boot + power on; PXEBooted=True once the binding reports
//   TalosInstalled. Not allocated: PXEBooted removed; in use => inUse=false, isClean=false.
// - Not allocated, clean: power off when on; ready=true.
// - Not allocated, dirty: a PowerCycle=False/InProgress younger than the reboot timeout means a
//   wipe is running (wait for it); otherwise PXE boot + power cycle, with PowerCycle=False/
//   InProgress written *before* the cycle (cycle_intent) so a crash or a leader change between
//   the two never cycles a machine twice.
// - Without a BMC nothing is powered; status.power stays "unknown". A Server with neither
//   spec.bmc nor spec.managementApi gets one NoBMC Event; a BMC bmcd cannot use (no or bad
//   credentials) one BMCUnusable Event (`once` events: until the plan stops naming them).
// - A power state that could not be read is "unknown", a PowerStateUnknown Warning, and the
//   reconcile fails after writing the status (retried with backoff).
// - A Server whose power Ferrum manages (accepted, not being deleted, with a usable BMC) is
//   come back to every power check period at the latest: BMCs misreport.
// - settle_power() says what follows the power action: on success status.power and a
//   PoweredOn/PoweredOff/PowerCycled Event; on failure power "unknown", a PowerFailed
//   Warning, a failed cycle marked PowerCycleFailed (so the retry does not wait for the
//   reboot timeout), and the reconcile fails.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "ferrum/model/server.hpp"
#include "ferrum/model/time.hpp"

namespace ferrum::reconciler {

enum class PowerAction { kNone, kPowerOn, kPowerOff, kPowerCycle };
std::string_view power_action_name(PowerAction a);

// Reasons of the PowerCycle condition the reconciler writes (the registry writes the same
// InProgress on heartbeats and True/"Wiped"-like on MarkServerAsWiped).
inline constexpr std::string_view kReasonInProgress = "InProgress";
inline constexpr std::string_view kReasonPowerCycleFailed = "PowerCycleFailed";
// The condition that reports the allocated-and-clean impossibility.
inline constexpr std::string_view kConditionConsistent = "Consistent";

struct ServerFacts {
  bool allocated = false;
  std::string bound_to;                   // "ns/name" of the binding's MetalMachine, for Events
  bool installed = false;                 // the binding's TalosInstalled condition is True
  bool has_bmc = false;                   // spec.bmc or spec.managementApi
  std::optional<bool> powered_on;         // what the BMC last said; nullopt = unknown
  std::string default_pxe_mode = "uefi";  // --ipmi-pxe-method
  model::Timestamp now{};
  std::chrono::seconds reboot_timeout{1200};
  // bmcd refused the BMC (missing or unusable credentials): its message. Such a Server is
  // planned as one without a BMC, with one BMCUnusable Event.
  std::string bmc_unusable;
  // Reading the power state failed (bmcd or the BMC unreachable): its message.
  std::string power_read_error;
  // How often a managed Server's power is read again (0 = only on change).
  std::chrono::milliseconds power_check_period{0};
};

struct PlannedEvent {
  bool warning = false;
  std::string reason;
  std::string message;
  // Recorded once per Server and reason, again only after a plan without it (conditions only
  // an operator can change: one Event, then wait for a change).
  bool once = false;
  bool operator==(const PlannedEvent&) const = default;
};

// The reasons of `once` events (the controller forgets those a plan does not name).
inline constexpr std::string_view kEventNoBmc = "NoBMC";
inline constexpr std::string_view kEventBmcUnusable = "BMCUnusable";

enum class FinalizerChange { kNone, kAdd, kRemove };

struct ServerPlan {
  FinalizerChange finalizer = FinalizerChange::kNone;
  // The Server with the status it should have (before the power action's own result).
  model::Server desired;
  PowerAction action = PowerAction::kNone;
  std::string boot_mode;  // "uefi" | "bios": set PXE boot with this mode before the action
  // The cycle needs its intent written first (see the contract).
  bool cycle_intent = false;
  // Power is needed but the Server has no BMC: the controller says so once (an Event), then
  // waits for a change instead of retrying.
  bool missing_bmc = false;
  std::vector<PlannedEvent> events;
  // Come back after this long (0 = only on change): a wipe's deadline, or the power check.
  std::chrono::milliseconds requeue_after{0};
  // Non-empty: the reconcile fails with this (retried with backoff) once the status is written.
  std::string error;
};

ServerPlan plan_server(const model::Server& server, const ServerFacts& facts);

// Updates `plan` (desired status, events, error) with the power action's result: `failure`
// is bmcd's message, nullopt when the action succeeded.
void settle_power(ServerPlan& plan, const ServerFacts& facts,
                  const std::optional<std::string>& failure);

// The status.power value for a known/unknown state.
std::string_view power_text(std::optional<bool> powered_on);

// The PXE mode to request: the Server's spec.pxeMode when valid, else the default.
std::string pxe_mode_for(const model::Server& server, const std::string& default_mode);

// Whether a PowerCycle=False/InProgress condition is younger than `timeout` at `now`, and if
// so how long until it is not.
std::optional<std::chrono::seconds> wipe_in_progress_for(const model::Server& server,
                                                         model::Timestamp now,
                                                         std::chrono::seconds timeout);

}  // namespace ferrum::reconciler
