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
// - Without a BMC nothing is powered; status.power stays "unknown".

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
};

struct PlannedEvent {
  bool warning = false;
  std::string reason;
  std::string message;
  bool operator==(const PlannedEvent&) const = default;
};

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
  std::chrono::seconds requeue_after{0};
};

ServerPlan plan_server(const model::Server& server, const ServerFacts& facts);

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
