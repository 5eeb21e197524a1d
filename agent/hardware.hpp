#pragma once
// Maps the inventory to api.HardwareInformation (DESIGN.md 4.4), the message ferrum-registry
// turns into spec.hardware. SMBIOS wins where it has a value; /sys/class/dmi/id,
// /proc/cpuinfo and /proc/meminfo fill what the tables leave out (VMs often omit core counts
// and memory devices).
#include <vector>

#include "agent.pb.h"
#include "inventory.hpp"

namespace ferrum::agent {

struct Inventory {
  SmbiosInfo smbios;
  SmbiosSystem dmi_id;
  CpuInfo cpu;
  std::uint32_t meminfo_total_mb = 0;
  std::vector<BlockDevice> disks;
  std::vector<NetInterface> interfaces;
};

Inventory read_inventory(const std::filesystem::path& root);

api::HardwareInformation map_hardware(const Inventory& inv);

// The disks registered as storage: not virtual (loop, ram, dm, ...), non-zero size.
bool is_machine_disk(const BlockDevice& d);

api::StorageType storage_type(DiskKind k);

}  // namespace ferrum::agent
