#include "node_records.hpp"

#include <gtest/gtest.h>

#include "machine_events.pb.h"

namespace ferrum::linkd {
namespace {

NodeAnnotation sample() { return {"u-1", "default", "c1", "mm-1", "m-1"}; }

TEST(Annotation, FromBindingAndMetalMachine) {
  Json b =
      Json::parse(R"({"metadata":{"name":"u-1","labels":{"cluster.x-k8s.io/cluster-name":"c1"}},
    "spec":{"metalMachineRef":{"namespace":"default","name":"mm-1"}}})");
  Json mm = Json::parse(R"({"metadata":{"name":"mm-1","ownerReferences":[
    {"kind":"MachineSet","name":"x"},{"kind":"Machine","name":"m-1"}]}})");
  EXPECT_EQ(annotation_for(b, &mm), sample());
  auto without = annotation_for(b, nullptr);
  EXPECT_EQ(without.machine, "");
  EXPECT_EQ(without.cluster, "c1");
  Json bare = Json::parse(R"({"metadata":{"name":"u-2"}})");
  Json mm2 = Json::parse(R"({"metadata":{"labels":{"cluster.x-k8s.io/cluster-name":"c9"}}})");
  EXPECT_EQ(annotation_for(bare, &mm2).cluster, "c9");
  EXPECT_EQ(annotation_for(bare, &mm2).server_uuid, "u-2");
}

TEST(Kmsg, EnrichTable) {
  struct Case {
    std::string line;
    bool annotated;
    std::string want;  // "" = refused
    std::string error_has;
  };
  auto a = sample();
  std::vector<Case> cases = {
      {R"({"msg":"hello","talos-level":"info","seq":3})", true,
       R"({"msg":"hello","talos-level":"info","seq":3,"server_uuid":"u-1","namespace":"default","cluster":"c1","metal_machine":"mm-1","machine":"m-1","node":"fd00::5"})",
       ""},
      {R"({"msg":"x"})"
       "\r",
       false, R"({"msg":"x","node":"fd00::5"})", ""},
      {"{}", false, R"({"node":"fd00::5"})", ""},
      {R"({"msg":"spoof","server_uuid":"evil"})", true,
       R"({"cluster":"c1","machine":"m-1","metal_machine":"mm-1","msg":"spoof","namespace":"default","node":"fd00::5","server_uuid":"u-1"})",
       ""},
      {R"({"msg":"q\"uote"})", false, R"({"msg":"q\"uote","node":"fd00::5"})", ""},
      {R"({"msg":"unterminated)", false, "", "not a JSON object"},
      {R"({"msg":"x",})", false, "", "malformed"},
      {"[1,2]", false, "", "not a JSON object"},
      {"   ", false, "", "empty"},
      {R"({"a":1}{"b":2})", false, "", "malformed"},
      // Found by tests/fuzz/kmsg_line_fuzz: nlohmann stops at a NUL, so this was accepted
      // as {} and the "node" key written after the NUL, invisible to readers of the line.
      {std::string("{}\0}", 4), false, "", "malformed"},
      {std::string("{\"msg\":\"a\0b\"}", 13), true, "", "malformed"},
  };
  for (const auto& c : cases) {
    std::string out;
    auto err = enrich_kmsg_line(c.line, "fd00::5", c.annotated ? &a : nullptr, out);
    if (c.want.empty()) {
      EXPECT_NE(err, "") << c.line;
      EXPECT_NE(err.find(c.error_has), std::string::npos) << err;
      continue;
    }
    EXPECT_EQ(err, "") << c.line;
    EXPECT_EQ(out, c.want) << c.line;
    EXPECT_TRUE(Json::accept(out)) << out;
  }
}

TEST(Prefixes, ParseAndContain) {
  auto p = parse_prefixes({"10.0.0.0/8", "fd00::/16", "192.168.1.7/32"});
  ASSERT_TRUE(p) << p.error();
  auto v4 = [](std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    return Ipv6Bytes{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d};
  };
  EXPECT_TRUE(prefix_contains(*p, v4(10, 1, 2, 3)));
  EXPECT_FALSE(prefix_contains(*p, v4(11, 1, 2, 3)));
  EXPECT_TRUE(prefix_contains(*p, v4(192, 168, 1, 7)));
  EXPECT_FALSE(prefix_contains(*p, v4(192, 168, 1, 8)));
  EXPECT_TRUE(prefix_contains(*p, Ipv6Bytes{0xfd, 0x00, 1}));
  EXPECT_FALSE(prefix_contains(*p, Ipv6Bytes{0xfd, 0x01}));
  for (const char* bad : {"10.0.0.0", "10.0.0.0/33", "fd00::/129", "x/8", "10.0.0.0/-1"}) {
    auto r = parse_prefixes({bad});
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().find(bad), std::string::npos) << r.error();
  }
}

google::protobuf::Any pack(const google::protobuf::Message& m) {
  google::protobuf::Any any;
  any.set_type_url("type.googleapis.com/" + m.GetDescriptor()->full_name());
  any.set_value(m.SerializeAsString());
  return any;
}

struct Want {
  std::string type;
  std::string status;
  std::string reason;
  std::string message;
};

std::vector<Want> conds(const EventEffect& e) {
  std::vector<Want> out;
  for (const auto& c : e.conditions) out.push_back({c.type, c.status, c.reason, c.message});
  return out;
}

bool operator==(const Want& a, const Want& b) {
  return a.type == b.type && a.status == b.status && a.reason == b.reason && a.message == b.message;
}

TEST(Events, ConditionMapping) {
  Ipv6Bytes src{0xfd};
  machine::PhaseEvent install_start;
  install_start.set_phase("install");
  install_start.set_action(machine::PhaseEvent::START);
  machine::PhaseEvent install_stop = install_start;
  install_stop.set_action(machine::PhaseEvent::STOP);
  machine::PhaseEvent save;
  save.set_phase("saveConfig");
  machine::SequenceEvent boot;
  boot.set_sequence("boot");
  boot.set_action(machine::SequenceEvent::START);
  machine::SequenceEvent rebooted;
  rebooted.set_sequence("install");
  rebooted.set_action(machine::SequenceEvent::NOOP);
  rebooted.mutable_error()->set_code(common::FATAL);
  rebooted.mutable_error()->set_message("unix.Reboot: operation not permitted");
  machine::SequenceEvent failed = rebooted;
  failed.mutable_error()->set_message("disk /dev/sda not found");
  machine::SequenceEvent noop_no_error;
  noop_no_error.set_sequence("install");
  machine::ConfigLoadErrorEvent load;
  load.set_error("fetch failed");
  machine::ConfigValidationErrorEvent valid;
  valid.set_error("bad field");
  machine::TaskEvent task;
  task.set_task("x");

  struct Case {
    std::string name;
    google::protobuf::Any any;
    std::string type;
    std::vector<Want> want;
  };
  std::vector<Case> cases = {
      {"install start",
       pack(install_start),
       "PhaseEvent",
       {{"TalosInstalled", "False", "TalosInstallationInProgress", ""}}},
      {"install stop", pack(install_stop), "PhaseEvent", {}},
      {"saveConfig",
       pack(save),
       "PhaseEvent",
       {{"TalosConfigValidated", "True", "", ""}, {"TalosConfigLoaded", "True", "", ""}}},
      {"boot",
       pack(boot),
       "SequenceEvent",
       {{"TalosInstalled", "True", "", ""},
        {"TalosConfigValidated", "True", "", ""},
        {"TalosConfigLoaded", "True", "", ""}}},
      {"install ends in reboot",
       pack(rebooted),
       "SequenceEvent",
       {{"TalosInstalled", "True", "", ""}}},
      {"install failed",
       pack(failed),
       "SequenceEvent",
       {{"TalosInstalled", "False", "TalosInstallationFailed", "disk /dev/sda not found"}}},
      {"noop without error", pack(noop_no_error), "SequenceEvent", {}},
      {"config load",
       pack(load),
       "ConfigLoadErrorEvent",
       {{"TalosConfigLoaded", "False", "TalosConfigLoadFailed", "fetch failed"}}},
      {"config validation",
       pack(valid),
       "ConfigValidationErrorEvent",
       {{"TalosConfigValidated", "False", "TalosConfigValidationFailed", "bad field"}}},
      {"task", pack(task), "TaskEvent", {}},
  };
  for (const auto& c : cases) {
    auto e = map_event(c.any, src, {});
    EXPECT_TRUE(e.known) << c.name;
    EXPECT_EQ(e.decode_error, "") << c.name;
    EXPECT_EQ(e.type, c.type) << c.name;
    EXPECT_TRUE(conds(e) == c.want) << c.name;
    EXPECT_FALSE(e.addresses) << c.name;
  }
}

TEST(Events, AddressesFiltered) {
  machine::AddressEvent ev;
  ev.set_hostname("talos-abc");
  for (const char* a :
       {"10.5.0.2", "fd12::5", "172.20.0.1", "192.168.1.9", "not-an-ip", "2001:db8::1"}) {
    ev.add_addresses(a);
  }
  Ipv6Bytes src{0xfd, 0x12};
  src[15] = 5;
  auto filter = parse_prefixes({"172.16.0.0/12", "2001:db8::/32"});
  ASSERT_TRUE(filter);
  auto e = map_event(pack(ev), src, *filter);
  ASSERT_TRUE(e.addresses);
  EXPECT_EQ(*e.addresses, (std::vector<std::string>{"10.5.0.2", "192.168.1.9"}));
  EXPECT_EQ(e.hostname, "talos-abc");
  model::ServerBinding b(Json::parse(R"({"metadata":{"name":"u"},"spec":{}})"));
  auto now = model::Timestamp(std::chrono::seconds(1700000000));
  EXPECT_EQ(apply_effect(b, e, now), (std::pair<bool, bool>{true, false}));
  EXPECT_EQ(b.addresses(), *e.addresses);
  EXPECT_EQ(b.hostname(), "talos-abc");
  EXPECT_EQ(apply_effect(b, e, now), (std::pair<bool, bool>{false, false})) << "no-op";
}

TEST(Events, UnknownAndBroken) {
  google::protobuf::Any other;
  other.set_type_url("type.googleapis.com/machine.ServiceStateEvent");
  auto e = map_event(other, {}, {});
  EXPECT_FALSE(e.known);
  EXPECT_FALSE(e.changes_binding());
  other.set_type_url("type.googleapis.com/google.protobuf.Empty");
  EXPECT_FALSE(map_event(other, {}, {}).known);
  google::protobuf::Any broken;
  broken.set_type_url("type.googleapis.com/machine.PhaseEvent");
  broken.set_value("\xff\xff\xff");
  auto b = map_event(broken, {}, {});
  EXPECT_TRUE(b.known);
  EXPECT_NE(b.decode_error, "");
  EXPECT_FALSE(b.changes_binding());
}

// Sidero's events-manager (cmd/events-manager/adapter.go) refuses what it cannot attribute
// and acknowledges what it does not record; Talos resends refused events.
TEST(Events, VerdictLikeSiderosEventsManager) {
  machine::PhaseEvent install;
  install.set_phase("install");
  install.set_action(machine::PhaseEvent::START);
  machine::AddressEvent addresses;
  addresses.set_hostname("talos-abc");
  addresses.add_addresses("10.0.0.7");
  machine::TaskEvent task;
  task.set_task("startAllServices");
  google::protobuf::Any unknown;
  unknown.set_type_url("type.googleapis.com/machine.ServiceStateEvent");
  struct Row {
    const char* name;
    google::protobuf::Any event;
    bool binding_known;
    EventVerdict want;
  };
  const Row rows[] = {
      {"install start, bound", pack(install), true, EventVerdict::kWrite},
      {"install start, no binding yet", pack(install), false, EventVerdict::kUnknownNode},
      {"addresses, no binding yet", pack(addresses), false, EventVerdict::kUnknownNode},
      {"task event, no binding", pack(task), false, EventVerdict::kAcknowledge},
      {"unknown type, no binding", unknown, false, EventVerdict::kAcknowledge},
      {"unknown type, bound", unknown, true, EventVerdict::kAcknowledge},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(event_verdict(map_event(r.event, {}, {}), r.binding_known), r.want);
  }
  EXPECT_EQ(
      unknown_node_message("fd00::5").rfind("failed to find ServerBindings for ip fd00::5", 0), 0u);
}

TEST(Events, ConditionsApplyOnce) {
  machine::ConfigLoadErrorEvent load;
  load.set_error("fetch failed");
  auto e = map_event(pack(load), {}, {});
  model::ServerBinding b(Json::parse(R"({"metadata":{"name":"u"},"spec":{}})"));
  auto now = model::Timestamp(std::chrono::seconds(1700000000));
  EXPECT_EQ(apply_effect(b, e, now), (std::pair<bool, bool>{false, true}));
  EXPECT_EQ(apply_effect(b, e, now), (std::pair<bool, bool>{false, false}));
  auto c = b.condition("TalosConfigLoaded");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->severity, "Error");
}

}  // namespace
}  // namespace ferrum::linkd
