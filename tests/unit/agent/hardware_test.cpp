#include "hardware.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "fake_root.hpp"

namespace ferrum::agent {
namespace {

// A whole fake machine: the OVMF SMBIOS dump, cpuinfo, meminfo, one virtio disk, a loop
// device, a NIC and loopback.
TEST(MapHardware, FakeMachineWithRealSmbiosDump) {
  FakeRoot r;
  std::string data = std::string(FERRUM_SOURCE_DIR) + "/tests/unit/agent/data/";
  std::filesystem::create_directories(r.path() / "sys/firmware/dmi/tables");
  std::filesystem::copy_file(data + "qemu_ovmf_DMI", r.path() / "sys/firmware/dmi/tables/DMI");
  std::filesystem::copy_file(data + "qemu_ovmf_smbios_entry_point",
                             r.path() / "sys/firmware/dmi/tables/smbios_entry_point");
  r.write("sys/class/dmi/id/sys_vendor", "ignored: the tables win\n");
  std::string cpuinfo;
  for (int i = 0; i < 4; ++i) {
    cpuinfo += "processor : " + std::to_string(i) +
               "\nvendor_id : AuthenticAMD\nmodel name : QEMU Virtual CPU version 2.5+\n"
               "cpu MHz : 2994.374\nphysical id : " +
               std::to_string(i / 2) + "\ncpu cores : 2\n\n";
  }
  r.write("proc/cpuinfo", cpuinfo);
  r.write("proc/meminfo", "MemTotal:  1000000 kB\n");
  r.disk("vda", 131072, "1");
  r.write("sys/block/vda/serial", "disk-1\n");
  r.disk("loop0", 100);
  r.write("sys/class/net/lo/ifindex", "1\n");
  r.write("sys/class/net/enp0s2/ifindex", "2\n");
  r.write("sys/class/net/enp0s2/address", "52:54:00:12:34:56\n");
  r.write("sys/class/net/enp0s2/mtu", "1500\n");
  r.write("sys/class/net/enp0s2/flags", "0x1003\n");

  auto hw = map_hardware(read_inventory(r.path()));
  EXPECT_EQ(hw.system().uuid(), "9f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b");
  EXPECT_EQ(hw.system().manufacturer(), "Ferrum");
  EXPECT_EQ(hw.system().product_name(), "UEFI-Box");
  EXPECT_EQ(hw.system().serial_number(), "SN-UEFI-7");
  EXPECT_EQ(hw.compute().processor_count(), 2u);
  EXPECT_EQ(hw.compute().total_core_count(), 4u);
  EXPECT_EQ(hw.compute().total_thread_count(), 4u);
  // The live model name is more precise than SMBIOS's version string; speed from the table
  // (QEMU writes 2000 MHz) wins over cpuinfo's.
  EXPECT_EQ(hw.compute().processors(0).product_name(), "QEMU Virtual CPU version 2.5+");
  EXPECT_EQ(hw.compute().processors(0).manufacturer(), "FerrumCPU");
  EXPECT_EQ(hw.compute().processors(0).speed(), 2000u);
  EXPECT_EQ(hw.memory().total_size(), 1024u);  // from the DIMM, not meminfo
  EXPECT_EQ(hw.memory().module_count(), 1u);
  EXPECT_EQ(hw.memory().modules(0).product_name(), "FR-DIMM-1G");
  EXPECT_EQ(hw.memory().modules(0).speed(), 3200u);
  ASSERT_EQ(hw.storage().device_count(), 1u);  // loop0 is not a disk of the machine
  EXPECT_EQ(hw.storage().total_size(), 64u << 20);
  EXPECT_EQ(hw.storage().devices(0).type(), api::HDD);
  EXPECT_EQ(hw.storage().devices(0).device_name(), "/dev/vda");
  EXPECT_EQ(hw.storage().devices(0).serial(), "disk-1");
  ASSERT_EQ(hw.network().interface_count(), 1u);  // lo left out
  EXPECT_EQ(hw.network().interfaces(0).mac(), "52:54:00:12:34:56");
  EXPECT_EQ(hw.network().interfaces(0).index(), 2u);
}

// No SMBIOS tables (a container, some ARM boards): dmi/id, cpuinfo and meminfo carry it.
TEST(MapHardware, FallbacksWithoutTables) {
  FakeRoot r;
  r.write("sys/class/dmi/id/product_uuid", "0C3A1B2D-1111-4222-8333-444455556666\n");
  r.write("sys/class/dmi/id/sys_vendor", "Supermicro\n");
  r.write("proc/cpuinfo",
          "processor : 0\nvendor_id : GenuineIntel\nmodel name : Xeon\ncpu MHz : 2400.1\n\n");
  r.write("proc/meminfo", "MemTotal:  2048000 kB\n");
  auto hw = map_hardware(read_inventory(r.path()));
  EXPECT_EQ(hw.system().uuid(), "0c3a1b2d-1111-4222-8333-444455556666");
  EXPECT_EQ(hw.system().manufacturer(), "Supermicro");
  EXPECT_EQ(hw.compute().processor_count(), 1u);
  EXPECT_EQ(hw.compute().processors(0).product_name(), "Xeon");
  EXPECT_EQ(hw.compute().processors(0).speed(), 2400u);
  EXPECT_EQ(hw.memory().total_size(), 2000u);
  EXPECT_EQ(hw.memory().module_count(), 0u);
  EXPECT_EQ(hw.storage().device_count(), 0u);
}

TEST(StorageType, Kinds) {
  EXPECT_EQ(storage_type(DiskKind::kNvme), api::NVMe);
  EXPECT_EQ(storage_type(DiskKind::kSsd), api::SSD);
  EXPECT_EQ(storage_type(DiskKind::kHdd), api::HDD);
  EXPECT_EQ(storage_type(DiskKind::kSd), api::SD);
}

}  // namespace
}  // namespace ferrum::agent
