#include "inventory.hpp"

#include <gtest/gtest.h>

#include "fake_root.hpp"

namespace ferrum::agent {
namespace {

// Two sockets, two cores each, hyperthreaded (8 logical CPUs), trimmed to the keys read.
std::string two_socket_cpuinfo() {
  std::string out;
  for (int cpu = 0; cpu < 8; ++cpu) {
    out += "processor\t: " + std::to_string(cpu) + "\n";
    out += "vendor_id\t: GenuineIntel\n";
    out += "model name\t: Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz\n";
    out += "cpu MHz\t\t: 2100.000\n";
    out += "physical id\t: " + std::to_string(cpu / 4) + "\n";
    out += "siblings\t: 4\ncpu cores\t: 2\n\n";
  }
  return out;
}

TEST(Cpuinfo, PackagesCoresThreads) {
  auto info = parse_cpuinfo(two_socket_cpuinfo());
  EXPECT_EQ(info.logical_cpus, 8u);
  ASSERT_EQ(info.packages.size(), 2u);
  for (const auto& p : info.packages) {
    EXPECT_EQ(p.vendor, "GenuineIntel");
    EXPECT_EQ(p.model_name, "Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz");
    EXPECT_EQ(p.mhz, 2100u);
    EXPECT_EQ(p.cores, 2u);
    EXPECT_EQ(p.threads, 4u);
  }
}

// A VM without topology keys: one package, cores = logical CPUs.
TEST(Cpuinfo, NoTopologyKeys) {
  auto info = parse_cpuinfo(
      "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: QEMU Virtual CPU version 2.5+\n\n"
      "processor\t: 1\nvendor_id\t: AuthenticAMD\nmodel name\t: QEMU Virtual CPU version 2.5+\n");
  EXPECT_EQ(info.logical_cpus, 2u);
  ASSERT_EQ(info.packages.size(), 1u);
  EXPECT_EQ(info.packages[0].cores, 2u);
  EXPECT_EQ(info.packages[0].threads, 2u);
  EXPECT_EQ(parse_cpuinfo("").packages.size(), 0u);
}

TEST(Meminfo, Total) {
  EXPECT_EQ(parse_meminfo_total_mb("MemTotal:        2030440 kB\nMemFree:  1 kB\n"), 1982u);
  EXPECT_EQ(parse_meminfo_total_mb("MemFree:  1 kB\n"), 0u);
}

TEST(BlockDevices, KindsAttributesPartitions) {
  FakeRoot r;
  r.disk("sda", 1000215216, "1");
  r.write("sys/block/sda/device/model", "ST1000NM0033-9ZM\n");
  r.write("sys/block/sda/device/wwid", "naa.5000c50079f0a1b2\n");
  r.partition("sda", "sda2", 2099200, 997115904);
  r.partition("sda", "sda1", 2048, 2097152);
  r.disk("nvme0n1", 3907029168, "0");
  r.write("sys/block/nvme0n1/device/model", "Samsung SSD 970 EVO Plus 2TB   \n");
  r.write("sys/block/nvme0n1/device/serial", "S4J4NX0R123456\n");
  r.write("sys/block/nvme0n1/wwid", "eui.0025385a91b12345\n");
  r.disk("vda", 131072, "1");
  r.write("sys/block/vda/serial", "ferrum-e2e\n");
  r.disk("sdb", 244190646, "0");
  r.disk("loop0", 8, "1", "1");
  r.disk("mmcblk0", 62333952, "0");
  auto devs = list_block_devices(r.path());
  ASSERT_EQ(devs.size(), 6u);
  // Sorted by name: loop0 mmcblk0 nvme0n1 sda sdb vda.
  EXPECT_EQ(devs[0].name, "loop0");
  EXPECT_TRUE(devs[0].virtual_device);
  EXPECT_TRUE(devs[0].read_only);
  EXPECT_EQ(devs[1].kind, DiskKind::kSd);
  const auto& nvme = devs[2];
  EXPECT_EQ(nvme.kind, DiskKind::kNvme);
  EXPECT_EQ(nvme.size, 3907029168ULL * 512);
  EXPECT_EQ(nvme.model, "Samsung SSD 970 EVO Plus 2TB");
  EXPECT_EQ(nvme.serial, "S4J4NX0R123456");
  EXPECT_EQ(nvme.wwid, "eui.0025385a91b12345");
  EXPECT_EQ(nvme.dev_path, (r.path() / "dev/nvme0n1").string());
  const auto& sda = devs[3];
  EXPECT_EQ(sda.kind, DiskKind::kHdd);
  EXPECT_EQ(sda.wwid, "naa.5000c50079f0a1b2");
  ASSERT_EQ(sda.partitions.size(), 2u);
  EXPECT_EQ(sda.partitions[0].name, "sda1");
  EXPECT_EQ(sda.partitions[0].start, 2048u * 512);
  EXPECT_EQ(sda.partitions[1].size, 997115904ULL * 512);
  EXPECT_FALSE(sda.virtual_device);
  EXPECT_EQ(devs[4].kind, DiskKind::kSsd);
  EXPECT_EQ(devs[5].serial, "ferrum-e2e");
  EXPECT_EQ(devs[5].size, 64u * 1024 * 1024);
}

TEST(NetInterfaces, FromSysfs) {
  FakeRoot r;
  r.write("sys/class/net/lo/ifindex", "1\n");
  r.write("sys/class/net/lo/address", "00:00:00:00:00:00\n");
  r.write("sys/class/net/lo/mtu", "65536\n");
  r.write("sys/class/net/lo/flags", "0x9\n");
  r.write("sys/class/net/eth0/ifindex", "2\n");
  r.write("sys/class/net/eth0/address", "52:54:00:12:34:56\n");
  r.write("sys/class/net/eth0/mtu", "1500\n");
  r.write("sys/class/net/eth0/flags", "0x1003\n");
  auto n = list_net_interfaces(r.path());
  ASSERT_EQ(n.size(), 2u);
  EXPECT_EQ(n[0].name, "lo");
  EXPECT_EQ(n[0].flags, "up|loopback");
  EXPECT_EQ(n[1].name, "eth0");
  EXPECT_EQ(n[1].mac, "52:54:00:12:34:56");
  EXPECT_EQ(n[1].mtu, 1500u);
  EXPECT_EQ(n[1].flags, "up|broadcast|multicast");
}

TEST(DmiId, FallbackFields) {
  FakeRoot r;
  r.write("sys/class/dmi/id/product_uuid", "4C4C4544-0042-3510-8052-B4C04F564D32\n");
  r.write("sys/class/dmi/id/sys_vendor", "Dell Inc.\n");
  r.write("sys/class/dmi/id/product_name", "PowerEdge R640\n");
  r.write("sys/class/dmi/id/product_serial", "5Q8RKS2\n");
  auto s = read_dmi_id(r.path());
  EXPECT_EQ(s.uuid, "4c4c4544-0042-3510-8052-b4c04f564d32");
  EXPECT_EQ(s.manufacturer, "Dell Inc.");
  EXPECT_EQ(s.product_name, "PowerEdge R640");
  EXPECT_EQ(s.serial_number, "5Q8RKS2");
  EXPECT_EQ(s.family, "");
  EXPECT_EQ(read_smbios(r.path()).error,
            (r.path() / "sys/firmware/dmi/tables").string() + ": not readable");
}

}  // namespace
}  // namespace ferrum::agent
