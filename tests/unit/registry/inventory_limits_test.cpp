// The registry's bounds on what an agent reports (issue 17 item 6): the reproductions of the
// review (10,000 disks, 2,000 NICs, 900 KB strings, control characters in hostnames) are
// refused naming the field and the flag; the largest real servers pass.
#include "inventory_limits.hpp"

#include <gtest/gtest.h>

#include "registry_logic.hpp"

namespace ferrum::registry {
namespace {

constexpr const char* kUuid = "4C4C4544-0042-3510-8051-C4C04F4E4B32";

api::CreateServerRequest request_with(int disks, int nics) {
  api::CreateServerRequest req;
  req.set_hostname("node-a");
  auto* hw = req.mutable_hardware();
  auto* s = hw->mutable_system();
  s->set_uuid(kUuid);
  s->set_manufacturer("Dell Inc.");
  s->set_product_name("PowerEdge R7525");
  s->set_serial_number("7XK2M93");
  auto* st = hw->mutable_storage();
  for (int i = 0; i < disks; ++i) {
    auto* d = st->add_devices();
    d->set_type(api::SSD);
    d->set_size(3840755982336ULL);
    d->set_model("SAMSUNG MZ7L33T8HBLT-00A07");
    d->set_serial("S6ERNE0T" + std::to_string(100000 + i));
    d->set_name("sd" + std::to_string(i));
    d->set_device_name("/dev/disk/by-path/pci-0000:c1:00.0-sas-phy" + std::to_string(i) + "-lun-0");
    d->set_uuid("2c8e7b9a-4d1f-4b6e-9a1e-" + std::to_string(100000000000 + i));
    d->set_wwid("naa.5002538f4210" + std::to_string(1000 + i));
  }
  auto* n = hw->mutable_network();
  for (int i = 0; i < nics; ++i) {
    auto* nic = n->add_interfaces();
    nic->set_index(static_cast<std::uint32_t>(i + 2));
    nic->set_name("enp" + std::to_string(i) + "s0f0np0");
    nic->set_flags("up|broadcast|multicast");
    nic->set_mtu(9000);
    nic->set_mac("b8:ce:f6:00:00:01");
    nic->add_addresses("10.0.0.1/24");
    nic->add_addresses("fe80::bace:f6ff:fe00:1/64");
  }
  return req;
}

InventoryLimits defaults() { return InventoryLimits{}; }

TEST(InventoryLimits, LargestRealServersPass) {
  auto req = request_with(256, 128);
  EXPECT_EQ(check_request(req, defaults()), "");
  auto mapped = map_hardware(req.hardware(), "4c4c4544-0042-3510-8051-c4c04f4e4b32");
  EXPECT_EQ(check_inventory_size(mapped, defaults()), "");
  // The header's claim: such a server needs well under the default of 256 KiB.
  EXPECT_LT(nlohmann::json(mapped).dump().size(), 128u * 1024);
}

TEST(InventoryLimits, ReviewReproductionsAreRefusedNamingTheField) {
  EXPECT_EQ(check_request(request_with(10000, 1), defaults()),
            "hardware.storage.devices: 10000 entries, at most 256 (--max-storage-devices)");
  EXPECT_EQ(check_request(request_with(1, 2000), defaults()),
            "hardware.network.interfaces: 2000 entries, at most 128 (--max-network-interfaces)");
  auto big = request_with(1, 1);
  big.mutable_hardware()->mutable_system()->set_manufacturer(std::string(900 * 1024, 'x'));
  EXPECT_EQ(check_request(big, defaults()),
            "hardware.system.manufacturer: 921600 bytes, at most 1024 (--max-string-bytes)");
  auto bell = request_with(1, 1);
  bell.set_hostname(
      "node\x07"
      "a");
  EXPECT_EQ(check_request(bell, defaults()), "hostname: control character U+0007 at byte 4");
}

TEST(InventoryLimits, EveryListIsCounted) {
  auto req = request_with(1, 1);
  for (int i = 0; i < 65; ++i) req.mutable_hardware()->mutable_compute()->add_processors();
  EXPECT_EQ(check_request(req, defaults()),
            "hardware.compute.processors: 65 entries, at most 64 (--max-processors)");
  req = request_with(1, 1);
  for (int i = 0; i < 513; ++i) req.mutable_hardware()->mutable_memory()->add_modules();
  EXPECT_EQ(check_request(req, defaults()),
            "hardware.memory.modules: 513 entries, at most 512 (--max-memory-modules)");
  req = request_with(1, 1);
  auto* nic = req.mutable_hardware()->mutable_network()->mutable_interfaces(0);
  for (int i = 0; i < 63; ++i) nic->add_addresses("192.0.2.1/32");
  EXPECT_EQ(check_request(req, defaults()),
            "hardware.network.interfaces[0].addresses: 65 entries, at most 64 (--max-addresses)");
  api::ReconcileServerAddressesRequest addrs;
  addrs.set_uuid(kUuid);
  for (int i = 0; i < 65; ++i) {
    auto* a = addrs.add_address();
    a->set_type("InternalIP");
    a->set_address("192.0.2.1");
  }
  EXPECT_EQ(check_request(addrs, defaults()), "address: 65 entries, at most 64 (--max-addresses)");
  // Limits come from the settings: raised, the same inventory passes.
  InventoryLimits raised;
  raised.max_storage_devices = 10000;
  EXPECT_EQ(check_request(request_with(10000, 1), raised), "");
}

TEST(InventoryLimits, StringsTable) {
  struct Case {
    std::string value;
    std::string error;  // empty: accepted
  };
  std::vector<Case> cases = {
      {"Supermicro", ""},
      {"Société Générale ü 日本", ""},  // UTF-8 beyond ASCII is fine
      {"", ""},
      {std::string(1024, 'a'), ""},
      {std::string(1025, 'a'), "f: 1025 bytes, at most 1024 (--max-string-bytes)"},
      {"a\nb", "f: control character U+000A at byte 1"},
      {std::string("a\0b", 3), "f: control character U+0000 at byte 1"},
      {"\x1b[2J", "f: control character U+001B at byte 0"},
      {"del\x7f", "f: control character U+007F at byte 3"},
      {"c1\xc2\x85", "f: control character U+0085 at byte 2"},  // NEL
      {"nbsp\xc2\xa0", ""},                                     // U+00A0 is printable
      {"\xff\xfe", "f: not valid UTF-8"},
      {"\xc3\x28", "f: not valid UTF-8"},
      {"\xed\xa0\x80", "f: not valid UTF-8"},  // a surrogate
      {"\xc0\xaf", "f: not valid UTF-8"},      // overlong '/'
  };
  for (const auto& c : cases) {
    EXPECT_EQ(check_string("f", c.value, 1024, "--max-string-bytes"), c.error) << c.value;
  }
}

TEST(InventoryLimits, NestedStringsAreNamedWithTheirIndex) {
  auto req = request_with(3, 1);
  req.mutable_hardware()->mutable_storage()->mutable_devices(2)->set_serial("\xff");
  EXPECT_EQ(check_request(req, defaults()), "hardware.storage.devices[2].serial: not valid UTF-8");
  req = request_with(1, 1);
  req.set_hostname(std::string(254, 'h'));
  EXPECT_EQ(check_request(req, defaults()), "hostname: 254 bytes, at most 253");
  req = request_with(1, 1);
  req.mutable_hardware()->mutable_network()->mutable_interfaces(0)->set_addresses(1, "a\tb");
  EXPECT_EQ(check_request(req, defaults()),
            "hardware.network.interfaces[0].addresses[1]: control character U+0009 at byte 1");
  api::UpdateBMCInfoRequest bmc;
  bmc.set_uuid(kUuid);
  bmc.mutable_bmc_info()->set_user("admin\r");
  EXPECT_EQ(check_request(bmc, defaults()), "bmc_info.user: control character U+000D at byte 5");
}

TEST(InventoryLimits, TotalSizeIsBoundedEvenWhenEveryPartIsWithinItsLimit) {
  // 256 disks whose 6 strings are each just under 1 KiB: every count and string is within
  // bounds, the whole is 1.5 MB of JSON.
  auto req = request_with(256, 1);
  for (auto& d : *req.mutable_hardware()->mutable_storage()->mutable_devices()) {
    for (auto* f : {d.mutable_model(), d.mutable_serial(), d.mutable_name(),
                    d.mutable_device_name(), d.mutable_uuid(), d.mutable_wwid()}) {
      *f = std::string(1000, 'z');
    }
  }
  ASSERT_EQ(check_request(req, defaults()), "");
  auto mapped = map_hardware(req.hardware(), "4c4c4544-0042-3510-8051-c4c04f4e4b32");
  auto err = check_inventory_size(mapped, defaults());
  EXPECT_EQ(err.rfind("hardware: ", 0), 0u) << err;
  EXPECT_NE(err.find("bytes as spec.hardware JSON, at most 262144 (--max-inventory-bytes)"),
            std::string::npos)
      << err;
}

}  // namespace
}  // namespace ferrum::registry
