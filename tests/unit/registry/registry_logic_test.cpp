#include "registry_logic.hpp"

#include <gtest/gtest.h>

#include "settings.hpp"

namespace ferrum::registry {
namespace {

TEST(ServerNameForUuid, Table) {
  struct Case {
    std::string in;
    std::string want;       // empty: refused
    std::string error_has;  // part of the refusal
  };
  std::vector<Case> cases = {
      {"4C4C4544-0042-3510-8051-C4C04F4E4B32", "4c4c4544-0042-3510-8051-c4c04f4e4b32", ""},
      {"4c4c4544-0042-3510-8051-c4c04f4e4b32", "4c4c4544-0042-3510-8051-c4c04f4e4b32", ""},
      {"00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000001", ""},
      {"00000000-0000-0000-0000-000000000000", "", "cannot be told apart"},
      {"FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", "", "cannot be told apart"},
      {"ffffffff-ffff-ffff-ffff-ffffffffffff", "", "cannot be told apart"},
      {"", "", "missing"},
      {"4c4c4544004235108051c4c04f4e4b32", "", "8-4-4-4-12"},
      {"4c4c4544-0042-3510-8051-c4c04f4e4b3", "", "8-4-4-4-12"},
      {"4c4c4544-0042-3510-8051-c4c04f4e4b3g", "", "8-4-4-4-12"},
      {"4c4c4544_0042-3510-8051-c4c04f4e4b32", "", "8-4-4-4-12"},
      {"../../../etc/passwd-0000-0000-000000", "", "8-4-4-4-12"},
  };
  for (const auto& c : cases) {
    auto r = server_name_for_uuid(c.in);
    if (c.want.empty()) {
      ASSERT_FALSE(r) << c.in;
      EXPECT_NE(r.error().find(c.error_has), std::string::npos) << r.error();
      EXPECT_NE(r.error().find("hardware.system.uuid \"" + c.in + "\""), std::string::npos)
          << r.error();
    } else {
      ASSERT_TRUE(r) << c.in << ": " << r.error();
      EXPECT_EQ(*r, c.want);
    }
  }
  auto named = server_name_for_uuid("x", "uuid");
  ASSERT_FALSE(named);
  EXPECT_EQ(named.error().rfind("uuid \"x\"", 0), 0u) << named.error();
}

TEST(FormatTotals, SideroText) {
  EXPECT_EQ(format_memory_total(16384), "16 GB");
  EXPECT_EQ(format_memory_total(16383), "15 GB");
  EXPECT_EQ(format_memory_total(512), "0 GB");
  EXPECT_EQ(format_memory_total(0), "0 GB");
  EXPECT_EQ(format_storage_total(2000398934016ULL), "1863 GB");
  EXPECT_EQ(format_storage_total(64ULL << 20), "0 GB");
  EXPECT_EQ(format_storage_total(1ULL << 30), "1 GB");
  EXPECT_EQ(storage_type_name(api::NVMe), "NVMe");
  EXPECT_EQ(storage_type_name(api::HDD), "HDD");
  EXPECT_EQ(storage_type_name(99), "Unknown");
}

api::HardwareInformation sample_hw() {
  api::HardwareInformation hw;
  auto* s = hw.mutable_system();
  s->set_uuid("4C4C4544-0042-3510-8051-C4C04F4E4B32");
  s->set_manufacturer("QEMU");
  s->set_product_name("Standard PC");
  s->set_serial_number("SN1");
  auto* c = hw.mutable_compute();
  c->set_total_core_count(4);
  c->set_total_thread_count(8);
  c->set_processor_count(1);
  auto* p = c->add_processors();
  p->set_manufacturer("Intel");
  p->set_speed(2400);
  p->set_core_count(4);
  p->set_thread_count(8);
  auto* m = hw.mutable_memory();
  m->set_total_size(32768);
  m->set_module_count(2);
  auto* mod = m->add_modules();
  mod->set_size(16384);
  mod->set_type("DDR4");
  auto* st = hw.mutable_storage();
  st->set_total_size(512ULL << 30);
  st->set_device_count(1);
  auto* d = st->add_devices();
  d->set_type(api::NVMe);
  d->set_size(512ULL << 30);
  d->set_model("Samsung 970");
  d->set_serial("S123");
  d->set_name("nvme0n1");
  d->set_device_name("/dev/nvme0n1");
  d->set_wwid("eui.0025");
  auto* n = hw.mutable_network();
  n->set_interface_count(2);
  auto* i = n->add_interfaces();
  i->set_index(2);
  i->set_name("eth0");
  i->set_mtu(1500);
  i->set_mac("52:54:00:12:34:56");
  i->add_addresses("10.0.0.5/24");
  auto* lo = n->add_interfaces();
  lo->set_index(1);
  lo->set_name("lo");
  return hw;
}

TEST(MapHardware, AllSections) {
  auto hw = sample_hw();
  auto m = map_hardware(hw, "4c4c4544-0042-3510-8051-c4c04f4e4b32");
  ASSERT_TRUE(m.system);
  EXPECT_EQ(m.system->uuid, "4c4c4544-0042-3510-8051-c4c04f4e4b32");
  EXPECT_EQ(m.system->manufacturer, "QEMU");
  EXPECT_EQ(m.system->product_name, "Standard PC");
  EXPECT_EQ(m.system->serial_number, "SN1");
  ASSERT_TRUE(m.compute);
  EXPECT_EQ(m.compute->total_thread_count, 8u);
  ASSERT_EQ(m.compute->processors.size(), 1u);
  EXPECT_EQ(m.compute->processors[0].speed, 2400u);
  ASSERT_TRUE(m.memory);
  EXPECT_EQ(m.memory->total_size, "32 GB");
  ASSERT_EQ(m.memory->modules.size(), 1u);
  EXPECT_EQ(m.memory->modules[0].size, 16384u);
  EXPECT_EQ(m.memory->modules[0].type, "DDR4");
  ASSERT_TRUE(m.storage);
  EXPECT_EQ(m.storage->total_size, "512 GB");
  ASSERT_EQ(m.storage->devices.size(), 1u);
  const auto& d = m.storage->devices[0];
  EXPECT_EQ(d.type, "NVMe");
  EXPECT_EQ(d.product_name, "Samsung 970");
  EXPECT_EQ(d.serial_number, "S123");
  EXPECT_EQ(d.device_name, "/dev/nvme0n1");
  EXPECT_EQ(d.wwid, "eui.0025");
  ASSERT_TRUE(m.network);
  ASSERT_EQ(m.network->interfaces.size(), 2u);
  EXPECT_EQ(m.network->interfaces[0].mac, "52:54:00:12:34:56");
  EXPECT_EQ(m.network->interfaces[0].addresses, std::vector<std::string>{"10.0.0.5/24"});

  // The JSON the Server gets: strings for the totals, Go-style names.
  nlohmann::json j = m;
  EXPECT_EQ(j["memory"]["totalSize"], "32 GB");
  EXPECT_EQ(j["storage"]["devices"][0]["productName"], "Samsung 970");
  EXPECT_EQ(reported_macs(hw), std::vector<std::string>{"52:54:00:12:34:56"});
}

TEST(MapHardware, MissingSectionsStayAbsent) {
  api::HardwareInformation hw;
  hw.mutable_system()->set_uuid("x");
  auto m = map_hardware(hw, "n");
  EXPECT_TRUE(m.system);
  EXPECT_FALSE(m.compute);
  EXPECT_FALSE(m.memory);
  EXPECT_FALSE(m.storage);
  EXPECT_FALSE(m.network);
  // The same inventory maps to the same value: re-registration compares equal.
  EXPECT_EQ(map_hardware(sample_hw(), "n"), map_hardware(sample_hw(), "n"));
  auto changed = sample_hw();
  changed.mutable_memory()->set_total_size(65536);
  EXPECT_NE(map_hardware(sample_hw(), "n"), map_hardware(changed, "n"));
}

TEST(AnswerFor, Table) {
  struct Case {
    const char* name;
    bool accepted, clean, has_bmc, insecure, auto_bmc;
    bool wipe, insecure_wipe, setup_bmc;
    double reboot;
  };
  std::vector<Case> cases = {
      {"not accepted, dirty: nothing", false, false, false, true, true, false, false, false, 0},
      {"not accepted, clean: nothing", false, true, false, true, true, false, false, false, 0},
      {"accepted, dirty", true, false, false, true, true, true, true, true, 1200},
      {"accepted, dirty, secure wipe", true, false, false, false, true, true, false, true, 1200},
      {"accepted, clean: no wipe", true, true, false, true, true, false, false, true, 0},
      {"accepted, BMC configured", true, false, true, true, true, true, true, false, 1200},
      {"accepted, auto BMC off", true, true, false, true, false, false, false, false, 0},
  };
  for (const auto& c : cases) {
    auto s = model::Server::make("u");
    s.set_accepted(c.accepted);
    s.set_is_clean(c.clean);
    if (c.has_bmc) s.set_bmc(model::Bmc{"10.0.0.9", 623, "", "", std::nullopt, std::nullopt, ""});
    auto r = answer_for(s, AnswerPolicy{c.insecure, c.auto_bmc, std::chrono::seconds(1200)});
    EXPECT_EQ(r.wipe(), c.wipe) << c.name;
    EXPECT_EQ(r.insecure_wipe(), c.insecure_wipe) << c.name;
    EXPECT_EQ(r.setup_bmc(), c.setup_bmc) << c.name;
    EXPECT_EQ(r.reboot_timeout(), c.reboot) << c.name;
  }
}

TEST(Addresses, ParseAndMerge) {
  google::protobuf::RepeatedPtrField<api::Address> in;
  auto* a = in.Add();
  a->set_type("InternalIP");
  a->set_address("10.0.0.5");
  auto ok = parse_addresses(in);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->size(), 1u);
  auto* b = in.Add();
  b->set_type("Internal");
  b->set_address("10.0.0.6");
  auto bad = parse_addresses(in);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("address[1].type \"Internal\""), std::string::npos) << bad.error();
  b->set_type("Hostname");
  b->set_address("");
  bad = parse_addresses(in);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("address[1].address"), std::string::npos) << bad.error();

  using A = model::NodeAddress;
  std::vector<A> old = {
      {"InternalIP", "10.0.0.1"}, {"Hostname", "node1"}, {"ExternalIP", "1.2.3.4"}};
  std::vector<A> rep = {
      {"InternalIP", "10.0.0.5"}, {"InternalIP", "10.0.0.5"}, {"InternalIP", "10.0.0.6"}};
  std::vector<A> want = {{"InternalIP", "10.0.0.5"},
                         {"InternalIP", "10.0.0.6"},
                         {"Hostname", "node1"},
                         {"ExternalIP", "1.2.3.4"}};
  EXPECT_EQ(merge_addresses(old, rep), want);
  EXPECT_EQ(merge_addresses(want, rep), want);  // a repeated report changes nothing
  EXPECT_EQ(merge_addresses(old, {}), old);
}

TEST(BmcInfo, ValidateAndSpec) {
  api::BMCInfo info;
  info.set_ip("10.0.0.9");
  info.set_port(0);
  info.set_user("ferrum");
  info.set_pass("secret");
  EXPECT_EQ(validate_bmc_info(info), "");
  auto b = info;
  b.set_port(70000);
  EXPECT_NE(validate_bmc_info(b).find("bmc_info.port 70000"), std::string::npos);
  b = info;
  b.set_pass("");
  EXPECT_NE(validate_bmc_info(b).find("bmc_info.user and bmc_info.pass"), std::string::npos);
  b = info;
  b.set_ip("10.0.0.9; rm -rf");
  EXPECT_NE(validate_bmc_info(b).find("bmc_info.ip"), std::string::npos);

  std::optional<model::Bmc> old =
      model::Bmc{"10.0.0.1", 6230, "admin", "plain", std::nullopt, std::nullopt, "lanplus"};
  auto spec = bmc_spec_for(old, info, "ferrum-system", "u-bmc");
  EXPECT_EQ(spec.endpoint, "10.0.0.9");
  EXPECT_EQ(spec.port, 623u);
  EXPECT_EQ(spec.user, "");
  EXPECT_EQ(spec.pass, "");
  EXPECT_EQ(spec.interface, "lanplus");
  ASSERT_TRUE(spec.user_from && spec.user_from->secret_key_ref);
  EXPECT_EQ(spec.user_from->secret_key_ref->namespace_, "ferrum-system");
  EXPECT_EQ(spec.user_from->secret_key_ref->name, "u-bmc");
  EXPECT_EQ(spec.user_from->secret_key_ref->key, "user");
  ASSERT_TRUE(spec.pass_from && spec.pass_from->secret_key_ref);
  EXPECT_EQ(spec.pass_from->secret_key_ref->key, "pass");

  // Only an address: the endpoint moves, nothing about credentials changes.
  api::BMCInfo addr_only;
  addr_only.set_ip("10.0.0.10");
  addr_only.set_port(6231);
  auto spec2 = bmc_spec_for(spec, addr_only, "x", "y");
  EXPECT_EQ(spec2.endpoint, "10.0.0.10");
  EXPECT_EQ(spec2.port, 6231u);
  EXPECT_EQ(spec2.user_from, spec.user_from);
}

TEST(Settings, Validate) {
  flags::FlagSet f("t", "t");
  Settings s;
  add_flags(f, s);
  flags::EnvLookup none = [](const std::string&) { return std::optional<std::string>(); };
  auto ok = f.parse(std::vector<std::string>{}, none);
  ASSERT_EQ(ok.outcome, flags::Outcome::kRun);
  EXPECT_EQ(validate(s), "");
  EXPECT_EQ(s.listen, "0.0.0.0:50100");
  EXPECT_TRUE(s.insecure_wipe);
  EXPECT_TRUE(s.auto_bmc_setup);
  EXPECT_FALSE(s.auto_accept_servers);
  EXPECT_EQ(s.server_reboot_timeout, std::chrono::minutes(20));
  EXPECT_EQ(s.bmc_secret_namespace, "default");
  s.bmc_secret_namespace = "Bad_NS";
  EXPECT_NE(validate(s).find("--bmc-secret-namespace"), std::string::npos);
  s.bmc_secret_namespace = "default";
  s.listen = "nope";
  EXPECT_NE(validate(s).find("--listen"), std::string::npos);
  flags::EnvLookup env = [](const std::string& k) {
    return k == "FERRUM_AUTO_ACCEPT_SERVERS" ? std::optional<std::string>("true")
                                             : std::optional<std::string>();
  };
  ASSERT_EQ(f.parse(std::vector<std::string>{"--server-reboot-timeout=5m"}, env).outcome,
            flags::Outcome::kRun);
  EXPECT_TRUE(s.auto_accept_servers);
  EXPECT_EQ(s.server_reboot_timeout, std::chrono::minutes(5));
}

}  // namespace
}  // namespace ferrum::registry
