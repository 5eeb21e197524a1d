#pragma once
// What the machine says about itself, read from a root directory (normally "/"; tests pass
// a fake tree): /proc/cpuinfo, /proc/meminfo, /sys/class/dmi/id, /sys/block,
// /sys/class/net, /sys/firmware/dmi/tables. Missing files give empty fields, never errors:
// the inventory is best effort, registration must not fail because a file is absent.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "smbios.hpp"

namespace ferrum::agent {

struct CpuPackage {
  std::string vendor, model_name;
  std::uint32_t mhz = 0, cores = 0, threads = 0;
};
struct CpuInfo {
  std::vector<CpuPackage> packages;  // by physical id, ascending
  std::uint32_t logical_cpus = 0;
};
CpuInfo parse_cpuinfo(const std::string& text);

// MemTotal from /proc/meminfo, in MB (0 when absent).
std::uint32_t parse_meminfo_total_mb(const std::string& text);

enum class DiskKind { kHdd, kSsd, kNvme, kSd };

struct Partition {
  std::string name;
  std::uint64_t start = 0, size = 0;  // bytes
};

struct BlockDevice {
  std::string name;        // sda, nvme0n1, vda
  std::string dev_path;    // <root>/dev/<name>
  std::uint64_t size = 0;  // bytes
  std::string model, serial, wwid;
  DiskKind kind = DiskKind::kHdd;
  bool read_only = false, removable = false;
  // loop, ram, zram, device-mapper, md, optical, floppy: not a disk of the machine.
  bool virtual_device = false;
  std::vector<Partition> partitions;  // by start
};
std::vector<BlockDevice> list_block_devices(const std::filesystem::path& root);

struct NetInterface {
  std::uint32_t index = 0;
  std::string name, mac, flags;  // flags as "up|broadcast|multicast"
  std::uint32_t mtu = 0;
  std::vector<std::string> addresses;  // CIDR, filled from the live system
};
std::vector<NetInterface> list_net_interfaces(const std::filesystem::path& root);
// IFF_* bits as names, in Go's net.Flags order (Sidero's agent wrote them that way).
std::string interface_flags(std::uint32_t iff);

// /sys/class/dmi/id: the kernel's own decoding of the type 1 structure, used when the raw
// tables are unreadable.
SmbiosSystem read_dmi_id(const std::filesystem::path& root);

// /sys/firmware/dmi/tables; info.error says why when the tables are missing or bad.
SmbiosInfo read_smbios(const std::filesystem::path& root);

std::string read_file(const std::filesystem::path& p, std::size_t limit = 1 << 20);

}  // namespace ferrum::agent
