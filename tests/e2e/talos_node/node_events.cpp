#include "node_events.hpp"

#include <fmt/format.h>

#include "machine_events.pb.h"

namespace ferrum::talos_node {

google::protobuf::Any pack_event(const google::protobuf::Message& m) {
  google::protobuf::Any any;
  any.set_type_url("type.googleapis.com/" + m.GetDescriptor()->full_name());
  any.set_value(m.SerializeAsString());
  return any;
}

google::protobuf::Any restart_event(std::int64_t cmd) {
  google::protobuf::Any any;
  any.set_type_url("type.googleapis.com/machine.RestartEvent");
  std::string v(1, '\x08');  // field 1, varint
  auto u = static_cast<std::uint64_t>(cmd);
  do {
    auto byte = static_cast<std::uint8_t>(u & 0x7f);
    u >>= 7;
    if (u != 0) byte |= 0x80;
    v += static_cast<char>(byte);
  } while (u != 0);
  any.set_value(v);
  return any;
}

const std::vector<InstallPhase>& install_phases() {
  static const std::vector<InstallPhase> phases = {
      {"env", "setUserEnvVars"},
      {"install", "install"},
      {"meta", "reloadMeta"},
      {"saveMeta", "flushMeta"},
      {"saveStateEncryptionConfig", "SaveStateEncryptionConfig"},
      {"mountState", "mountStatePartition"},
      {"saveConfig", "saveConfig"},
      {"unmountState", "unmountStatePartition"},
      {"volumeFinalize", "teardownLifecycle"},
      {"stopEverything", "stopAllServices"},
      {"kexec", "kexecPrepare"},
      {"reboot", "reboot"},
  };
  return phases;
}

bool run_install_sequence(const TaskRunner& run, const EventSink& sink) {
  const std::string seq = "install";
  auto sequence_event = [&](machine::SequenceEvent::Action a, const std::string* error) {
    machine::SequenceEvent ev;
    ev.set_sequence(seq);
    ev.set_action(a);
    if (error != nullptr) {
      ev.mutable_error()->set_code(common::FATAL);
      ev.mutable_error()->set_message(*error);
    }
    sink(pack_event(ev));
  };
  sequence_event(machine::SequenceEvent::START, nullptr);
  std::optional<std::string> failure;
  bool rebooted = false;
  int number = 0;
  for (const auto& p : install_phases()) {
    ++number;
    machine::PhaseEvent phase;
    phase.set_phase(p.phase);
    phase.set_action(machine::PhaseEvent::START);
    sink(pack_event(phase));
    machine::TaskEvent task;
    task.set_task(p.task);
    task.set_action(machine::TaskEvent::START);
    sink(pack_event(task));
    std::optional<std::string> err;
    if (p.task == "reboot") {
      // Reboot publishes RestartEvent and returns RebootError: the sequence "fails" with it.
      err = run(p.task);
      if (!err) {
        sink(restart_event(kRebootCmdRestart));
        err = fmt::format("unix.Reboot({:x})", kRebootCmdRestart);
        rebooted = true;
      }
    } else {
      err = run(p.task);
    }
    task.set_action(machine::TaskEvent::STOP);
    sink(pack_event(task));
    phase.set_action(machine::PhaseEvent::STOP);
    sink(pack_event(phase));
    if (err) {
      failure = fmt::format("error running phase {} in {} sequence: task 1/1: failed, {}", number,
                            seq, *err);
      break;
    }
  }
  // run()'s deferred STOP comes before Run()'s NOOP with the error.
  sequence_event(machine::SequenceEvent::STOP, nullptr);
  if (failure) {
    std::string msg = "sequence failed: " + *failure;
    sequence_event(machine::SequenceEvent::NOOP, &msg);
  }
  return rebooted;
}

}  // namespace ferrum::talos_node
