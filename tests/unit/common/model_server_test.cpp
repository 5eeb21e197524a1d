#include <gtest/gtest.h>

#include "ferrum/model/server.hpp"

namespace ferrum::model {
namespace {

using namespace std::chrono;

// Modelled on a Server registered by Sidero's agent.
constexpr const char* kServerJson = R"json({
  "apiVersion": "metal.sidero.dev/v1alpha2",
  "kind": "Server",
  "metadata": {"name": "4c4c4544-0035-5010-8056-b7c04f4c3232"},
  "spec": {
    "accepted": true,
    "cordoned": true,
    "pxeBootAlways": true,
    "hostname": "node-1.example",
    "bootFromDiskMethod": "ipxe-sanboot",
    "pxeMode": "uefi",
    "environmentRef": {"name": "talos-1.6", "kind": "Environment"},
    "configPatches": [
      {"op": "replace", "path": "/machine/install/disk", "value": "/dev/sda"},
      {"op": "remove", "path": "/cluster/proxy"}
    ],
    "strategicPatches": ["machine:\n  network:\n    hostname: a\n"],
    "managementApi": {"endpoint": "http://10.0.0.9:8080"},
    "bmc": {
      "endpoint": "10.0.0.5", "port": 6230, "interface": "lan",
      "userFrom": {"secretKeyRef": {"namespace": "default", "name": "bmc", "key": "user"}},
      "passFrom": {"secretKeyRef": {"namespace": "default", "name": "bmc", "key": "pass"}}
    },
    "hardware": {
      "system": {"uuid": "4c4c4544-0035-5010-8056-b7c04f4c3232", "manufacturer": "Dell Inc.",
                 "productName": "PowerEdge R630", "version": "A01", "serialNumber": "5P0V22",
                 "skuNumber": "SKU=0599", "family": "Server"},
      "compute": {"totalCoreCount": 16, "totalThreadCount": 32, "processorCount": 2,
                  "processors": [
                    {"manufacturer": "Intel", "productName": "Xeon E5-2630 v3",
                     "serialNumber": "N/A", "speed": 2400, "coreCount": 8, "threadCount": 16},
                    {"manufacturer": "Intel", "productName": "Xeon E5-2630 v3", "speed": 2400,
                     "coreCount": 8, "threadCount": 16}]},
      "memory": {"totalSize": "64 GB", "moduleCount": 2,
                 "modules": [{"manufacturer": "Hynix", "productName": "HMA42GR7",
                              "serialNumber": "1", "type": "DDR4", "size": 32768, "speed": 2133},
                             {"size": 32768}]},
      "storage": {"totalSize": "960 GB", "deviceCount": 1,
                  "devices": [{"type": "SSD", "size": 960197124096, "productName": "SAMSUNG",
                               "serialNumber": "S1", "name": "sda", "deviceName": "/dev/sda",
                               "uuid": "u", "wwid": "naa.5002"}]},
      "network": {"interfaceCount": 1,
                  "interfaces": [{"index": 2, "name": "eno1", "flags": "up|broadcast",
                                  "mtu": 1500, "mac": "24:6e:96:00:00:01",
                                  "addresses": ["10.0.0.20/24", "fe80::1/64"]}]}
    }
  },
  "status": {
    "ready": true, "inUse": true, "isClean": false, "power": "on",
    "addresses": [{"type": "InternalIP", "address": "10.0.0.20"}],
    "conditions": [{"type": "PXEBooted", "status": "True",
                    "lastTransitionTime": "2024-01-01T00:00:00Z"}]
  }
})json";

TEST(ModelServer, ReadsEverySpecField) {
  Server s{json::parse(kServerJson)};
  EXPECT_TRUE(s.accepted());
  EXPECT_TRUE(s.cordoned());
  EXPECT_TRUE(s.pxe_boot_always());
  EXPECT_EQ(s.hostname(), "node-1.example");
  EXPECT_EQ(s.boot_from_disk_method(), "ipxe-sanboot");
  EXPECT_EQ(s.pxe_mode(), "uefi");
  ObjectReference env;
  env.name = "talos-1.6";
  env.kind = "Environment";
  EXPECT_EQ(s.environment_ref(), env);

  auto patches = s.config_patches();
  ASSERT_EQ(patches.size(), 2u);
  EXPECT_EQ(patches[0].op, "replace");
  EXPECT_EQ(patches[0].path, "/machine/install/disk");
  EXPECT_EQ(patches[0].value, json("/dev/sda"));
  EXPECT_EQ(patches[1].op, "remove");
  EXPECT_FALSE(patches[1].value);
  EXPECT_EQ(s.strategic_patches().size(), 1u);
  EXPECT_EQ(s.management_api()->endpoint, "http://10.0.0.9:8080");

  Bmc bmc = *s.bmc();
  EXPECT_EQ(bmc.endpoint, "10.0.0.5");
  EXPECT_EQ(bmc.port, 6230u);
  EXPECT_EQ(bmc.interface, "lan");
  EXPECT_EQ(bmc.user, "");
  ASSERT_TRUE(bmc.user_from && bmc.user_from->secret_key_ref);
  EXPECT_EQ(bmc.user_from->secret_key_ref->key, "user");
  EXPECT_EQ(bmc.pass_from->secret_key_ref->name, "bmc");
  EXPECT_EQ(bmc.pass_from->secret_key_ref->namespace_, "default");
}

TEST(ModelServer, ReadsHardwareTree) {
  Server s{json::parse(kServerJson)};
  HardwareInformation hw = *s.hardware();
  ASSERT_TRUE(hw.system && hw.compute && hw.memory && hw.storage && hw.network);
  EXPECT_EQ(hw.system->uuid, "4c4c4544-0035-5010-8056-b7c04f4c3232");
  EXPECT_EQ(hw.system->product_name, "PowerEdge R630");
  EXPECT_EQ(hw.system->sku_number, "SKU=0599");
  EXPECT_EQ(hw.system->family, "Server");
  EXPECT_EQ(hw.compute->total_core_count, 16u);
  EXPECT_EQ(hw.compute->processor_count, 2u);
  ASSERT_EQ(hw.compute->processors.size(), 2u);
  EXPECT_EQ(hw.compute->processors[0].speed, 2400u);
  EXPECT_EQ(hw.compute->processors[0].thread_count, 16u);
  EXPECT_EQ(hw.compute->processors[0].serial_number, "N/A");
  EXPECT_EQ(hw.memory->total_size, "64 GB");
  ASSERT_EQ(hw.memory->modules.size(), 2u);
  EXPECT_EQ(hw.memory->modules[0].type, "DDR4");
  EXPECT_EQ(hw.memory->modules[1].manufacturer, "");
  EXPECT_EQ(hw.storage->devices[0].size, 960197124096u);
  EXPECT_EQ(hw.storage->devices[0].device_name, "/dev/sda");
  EXPECT_EQ(hw.storage->devices[0].wwid, "naa.5002");
  EXPECT_EQ(hw.network->interfaces[0].mac, "24:6e:96:00:00:01");
  EXPECT_EQ(hw.network->interfaces[0].addresses.size(), 2u);
  EXPECT_EQ(hw.network->interfaces[0].mtu, 1500u);

  // The structs serialise back to exactly what they read (Go omitempty rules).
  EXPECT_EQ(json(hw), json::parse(kServerJson)["spec"]["hardware"]);
}

TEST(ModelServer, ReadsStatus) {
  Server s{json::parse(kServerJson)};
  EXPECT_TRUE(s.ready());
  EXPECT_TRUE(s.in_use());
  EXPECT_FALSE(s.is_clean());
  EXPECT_EQ(s.power(), "on");
  EXPECT_EQ(s.addresses(), (std::vector<NodeAddress>{{"InternalIP", "10.0.0.20"}}));
  EXPECT_TRUE(s.is_condition_true("PXEBooted"));
  EXPECT_FALSE(s.is_condition_true("PowerCycle"));
}

TEST(ModelServer, DefaultsOnEmptyServer) {
  Server s = Server::make("uuid-1");
  EXPECT_EQ(s.raw(), json::parse(R"({"apiVersion":"metal.sidero.dev/v1alpha2","kind":"Server",
                                     "metadata":{"name":"uuid-1"}})"));
  EXPECT_FALSE(s.accepted());
  EXPECT_FALSE(s.cordoned());
  EXPECT_FALSE(s.hostname());
  EXPECT_FALSE(s.bmc());
  EXPECT_FALSE(s.hardware());
  EXPECT_EQ(s.hardware_json(), nullptr);
  EXPECT_FALSE(s.power());
  EXPECT_TRUE(s.config_patches().empty());
  EXPECT_TRUE(s.conditions().empty());
}

TEST(ModelServer, SettersWriteAndClearersRemove) {
  Server s = Server::make("uuid-1");
  s.set_accepted(true);
  s.set_cordoned(false);
  s.set_pxe_boot_always(true);
  s.set_hostname("h");
  s.set_boot_from_disk_method("http-404");
  s.set_pxe_mode("bios");
  ObjectReference env;
  env.name = "default";
  s.set_environment_ref(env);
  s.set_config_patches({{"add", "/a", json(1)}});
  s.set_strategic_patches({"x: 1"});
  s.set_management_api({"http://x"});
  s.set_ready(true);
  s.set_in_use(false);
  s.set_is_clean(true);
  s.set_power("off");
  s.set_addresses({{"Hostname", "h"}});
  EXPECT_EQ(s.raw()["spec"], json::parse(R"({
    "accepted": true, "cordoned": false, "pxeBootAlways": true, "hostname": "h",
    "bootFromDiskMethod": "http-404", "pxeMode": "bios", "environmentRef": {"name": "default"},
    "configPatches": [{"op": "add", "path": "/a", "value": 1}], "strategicPatches": ["x: 1"],
    "managementApi": {"endpoint": "http://x"}})"));
  EXPECT_EQ(s.raw()["status"], json::parse(R"({"ready": true, "inUse": false, "isClean": true,
    "power": "off", "addresses": [{"type": "Hostname", "address": "h"}]})"));

  s.clear_hostname();
  s.clear_boot_from_disk_method();
  s.clear_pxe_mode();
  s.clear_environment_ref();
  s.set_config_patches({});
  s.set_strategic_patches({});
  s.set_addresses({});
  Bmc bmc;
  bmc.endpoint = "10.0.0.1";
  s.set_bmc(bmc);
  s.clear_bmc();
  EXPECT_EQ(s.raw()["spec"], json::parse(R"({"accepted": true, "cordoned": false,
    "pxeBootAlways": true, "managementApi": {"endpoint": "http://x"}})"));
  EXPECT_FALSE(s.raw()["status"].contains("addresses"));
}

TEST(ModelServer, SetBmcReplacesModelledKeysOnly) {
  Server s{json::parse(R"({"spec": {"bmc": {"endpoint": "a", "user": "u", "vendor": "x"}}})")};
  Bmc bmc;
  bmc.endpoint = "b";
  bmc.port = 623;
  bmc.pass_from = CredentialSource{SecretKeyRef{"ns", "sec", "k"}};
  s.set_bmc(bmc);
  EXPECT_EQ(s.raw()["spec"]["bmc"], json::parse(R"({"endpoint": "b", "port": 623, "vendor": "x",
    "passFrom": {"secretKeyRef": {"namespace": "ns", "name": "sec", "key": "k"}}})"));
  EXPECT_EQ(s.bmc(), bmc);
}

TEST(ModelServer, SetHardwareKeepsUnknownKeys) {
  Server s{json::parse(R"({"spec": {"hardware": {
    "system": {"manufacturer": "Old", "tpm": "2.0"},
    "memory": {"totalSize": "1 GB", "ecc": true},
    "gpu": {"count": 1}}}})")};
  HardwareInformation hw;
  hw.system = SystemInformation{};
  hw.system->manufacturer = "New";
  hw.compute = ComputeInformation{};
  hw.compute->processors.push_back(Processor{"AMD", "EPYC", "", 3000, 32, 64});
  s.set_hardware(hw);
  EXPECT_EQ(s.raw()["spec"]["hardware"], json::parse(R"({
    "system": {"manufacturer": "New", "tpm": "2.0"},
    "compute": {"processors": [{"manufacturer": "AMD", "productName": "EPYC", "speed": 3000,
                                "coreCount": 32, "threadCount": 64}]},
    "gpu": {"count": 1}})"))
      << "memory is not in the new value, so it goes; gpu and tpm are unknown and stay";
  EXPECT_EQ(s.hardware(), hw);
}

TEST(ModelServer, MistypedFieldsReadAsAbsent) {
  Server s{json::parse(R"({"spec": {"accepted": "yes", "hostname": 5, "bmc": "x",
    "hardware": {"compute": {"processorCount": -1, "processors": [null, {"speed": 1.5}]}}}})")};
  EXPECT_FALSE(s.accepted());
  EXPECT_FALSE(s.hostname());
  EXPECT_FALSE(s.bmc());
  auto hw = s.hardware();
  ASSERT_TRUE(hw && hw->compute);
  EXPECT_EQ(hw->compute->processor_count, 0u);
  ASSERT_EQ(hw->compute->processors.size(), 1u);
  EXPECT_EQ(hw->compute->processors[0].speed, 0u);
}

TEST(ModelServer, EnumValidation) {
  EXPECT_TRUE(is_valid_boot_from_disk_method("ipxe-exit"));
  EXPECT_TRUE(is_valid_boot_from_disk_method("http-404"));
  EXPECT_TRUE(is_valid_boot_from_disk_method("ipxe-sanboot"));
  EXPECT_FALSE(is_valid_boot_from_disk_method("exit"));
  EXPECT_TRUE(is_valid_pxe_mode("bios"));
  EXPECT_TRUE(is_valid_pxe_mode("uefi"));
  EXPECT_FALSE(is_valid_pxe_mode("UEFI"));
}

}  // namespace
}  // namespace ferrum::model
