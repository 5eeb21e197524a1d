#pragma once
// Machine events as Talos publishes them to the event sink, and the install sequence that
// produces them. Pure: the sequence runs tasks through a callback and hands events to another.
//
// Upstream (siderolabs/talos v1.8):
//   internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_controller.go  Run / run / runPhase /
//       runTask: SequenceEvent START, per phase PhaseEvent START..STOP, per task TaskEvent
//       START..STOP, SequenceEvent STOP, then on failure SequenceEvent NOOP with a FATAL error
//       "sequence failed: error running phase N in install sequence: task 1/1: failed, ..."
//   internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_sequencer.go    Install: the phases
//   internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_sequencer_tasks.go  task names, Reboot
//       (publishes RestartEvent, returns RebootError)
//   internal/app/machined/pkg/runtime/errors.go   RebootError: "unix.Reboot(%x)"
//   internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_events.go + anypb.New: type URLs
//       type.googleapis.com/machine.<Event>

#include <google/protobuf/any.pb.h>
#include <google/protobuf/message.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ferrum::talos_node {

// anypb.New: type.googleapis.com/<full name>.
google::protobuf::Any pack_event(const google::protobuf::Message& m);

// machine.RestartEvent{int64 cmd = 1} (not among Ferrum's mirrored protos; encoded by hand).
google::protobuf::Any restart_event(std::int64_t cmd);

// LINUX_REBOOT_CMD_RESTART, what Reboot uses without a prepared kexec.
inline constexpr std::int64_t kRebootCmdRestart = 0x01234567;

struct InstallPhase {
  std::string phase;
  std::string task;
};
// Sequencer.Install for a machine that is not installed yet (metal mode).
const std::vector<InstallPhase>& install_phases();

// A task's outcome: nothing on success, else its error text.
using TaskRunner = std::function<std::optional<std::string>(const std::string& task)>;
using EventSink = std::function<void(const google::protobuf::Any&)>;

// Runs the install sequence: every task through `run`, every event into `sink`, in Talos'
// order. The `reboot` task is run too (the caller reboots after the events are out) and, as in
// Talos, ends the sequence with RestartEvent and the FATAL "unix.Reboot(1234567)" NOOP event
// that Ferrum reads as TalosInstalled. Returns true when the sequence reached the reboot.
bool run_install_sequence(const TaskRunner& run, const EventSink& sink);

}  // namespace ferrum::talos_node
