// The install sequence's events in Talos' order and packing (sources in node_events.hpp).
#include "node_events.hpp"

#include <gtest/gtest.h>

#include "machine_events.pb.h"

namespace ferrum::talos_node {
namespace {

std::string describe(const google::protobuf::Any& a) {
  const std::string& t = a.type_url();
  if (t == "type.googleapis.com/machine.SequenceEvent") {
    machine::SequenceEvent e;
    e.ParseFromString(a.value());
    return "seq " + e.sequence() + " " + machine::SequenceEvent::Action_Name(e.action()) +
           (e.has_error() ? " " + common::Code_Name(e.error().code()) + " " + e.error().message()
                          : "");
  }
  if (t == "type.googleapis.com/machine.PhaseEvent") {
    machine::PhaseEvent e;
    e.ParseFromString(a.value());
    return "phase " + e.phase() + " " + machine::PhaseEvent::Action_Name(e.action());
  }
  if (t == "type.googleapis.com/machine.TaskEvent") {
    machine::TaskEvent e;
    e.ParseFromString(a.value());
    return "task " + e.task() + " " + machine::TaskEvent::Action_Name(e.action());
  }
  return t;
}

TEST(PackEvent, TypeUrlIsAnypbs) {
  machine::AddressEvent ev;
  ev.set_hostname("h");
  ev.add_addresses("10.0.0.1");
  auto any = pack_event(ev);
  EXPECT_EQ(any.type_url(), "type.googleapis.com/machine.AddressEvent");
  machine::AddressEvent back;
  ASSERT_TRUE(back.ParseFromString(any.value()));
  EXPECT_EQ(back.addresses(0), "10.0.0.1");
  EXPECT_EQ(pack_event(machine::ConfigLoadErrorEvent()).type_url(),
            "type.googleapis.com/machine.ConfigLoadErrorEvent");
}

TEST(RestartEvent, EncodesCmdAsFieldOne) {
  auto any = restart_event(kRebootCmdRestart);
  EXPECT_EQ(any.type_url(), "type.googleapis.com/machine.RestartEvent");
  EXPECT_EQ(any.value(), std::string("\x08\xe7\x8a\x8d\x09", 5));  // varint 0x1234567
}

TEST(InstallSequence, SuccessEndsWithRebootError) {
  std::vector<std::string> tasks, events;
  bool rebooted = run_install_sequence(
      [&](const std::string& t) -> std::optional<std::string> {
        tasks.push_back(t);
        return std::nullopt;
      },
      [&](const google::protobuf::Any& a) { events.push_back(describe(a)); });
  EXPECT_TRUE(rebooted);
  ASSERT_EQ(tasks.size(), 12u);
  EXPECT_EQ(tasks[1], "install");
  EXPECT_EQ(tasks.back(), "reboot");
  ASSERT_GE(events.size(), 6u);
  EXPECT_EQ(events[0], "seq install START");
  EXPECT_EQ(events[1], "phase env START");
  EXPECT_EQ(events[2], "task setUserEnvVars START");
  EXPECT_EQ(events[3], "task setUserEnvVars STOP");
  EXPECT_EQ(events[4], "phase env STOP");
  EXPECT_EQ(events[5], "phase install START");
  auto n = events.size();
  EXPECT_EQ(events[n - 6], "task reboot START");
  EXPECT_EQ(events[n - 5], "type.googleapis.com/machine.RestartEvent");
  EXPECT_EQ(events[n - 4], "task reboot STOP");
  EXPECT_EQ(events[n - 3], "phase reboot STOP");
  EXPECT_EQ(events[n - 2], "seq install STOP");
  // What ferrum-linkd (node_records.cpp) turns into TalosInstalled=True.
  EXPECT_EQ(events[n - 1],
            "seq install NOOP FATAL sequence failed: error running phase 12 in install sequence: "
            "task 1/1: failed, unix.Reboot(1234567)");
}

TEST(InstallSequence, FailedInstallStopsThere) {
  std::vector<std::string> events;
  bool rebooted = run_install_sequence(
      [&](const std::string& t) -> std::optional<std::string> {
        if (t == "install") return std::string("write /dev/vda: no space");
        return std::nullopt;
      },
      [&](const google::protobuf::Any& a) { events.push_back(describe(a)); });
  EXPECT_FALSE(rebooted);
  ASSERT_EQ(events.size(), 11u);
  EXPECT_EQ(events[8], "phase install STOP");
  EXPECT_EQ(events[9], "seq install STOP");
  EXPECT_EQ(events[10],
            "seq install NOOP FATAL sequence failed: error running phase 2 in install sequence: "
            "task 1/1: failed, write /dev/vda: no space");
}

}  // namespace
}  // namespace ferrum::talos_node
