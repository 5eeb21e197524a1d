#pragma once
// SMBIOS (DMTF DSP0134) structure table parser for the three types the inventory needs:
// 1 (System), 4 (Processor) and 17 (Memory Device). Input is what Linux exposes:
// /sys/firmware/dmi/tables/smbios_entry_point (for the version, which decides the UUID byte
// order) and /sys/firmware/dmi/tables/DMI (the structures back to back).
// Contract: never reads outside the given bytes; a truncated or malformed structure ends
// the walk with an error naming its offset, keeping what was parsed before it.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ferrum/expected.hpp"

namespace ferrum::agent {

struct SmbiosVersion {
  int major = 0;
  int minor = 0;
  bool at_least(int ma, int mi) const { return major > ma || (major == ma && minor >= mi); }
};

// Reads "_SM_" (2.x) and "_SM3_" (3.x) entry points.
Expected<SmbiosVersion, std::string> parse_entry_point(std::span<const std::uint8_t> ep);

struct SmbiosSystem {
  std::string uuid;  // lower-case 8-4-4-4-12; empty when absent (all 0xFF) or unset (all 0)
  std::string manufacturer, product_name, version, serial_number, sku_number, family;
};

struct SmbiosProcessor {
  std::string socket, manufacturer, version, serial_number, part_number;
  std::uint32_t max_speed_mhz = 0, current_speed_mhz = 0;
  std::uint32_t core_count = 0, thread_count = 0;
  bool populated = false;
};

struct SmbiosMemoryDevice {
  std::string locator, manufacturer, serial_number, part_number, type;
  std::uint32_t size_mb = 0;  // 0 = empty slot
  std::uint32_t speed_mts = 0;
};

struct SmbiosInfo {
  std::optional<SmbiosSystem> system;
  std::vector<SmbiosProcessor> processors;
  std::vector<SmbiosMemoryDevice> memory;
  std::string error;  // set when the walk stopped early; what was parsed stays valid
};

SmbiosInfo parse_smbios(std::span<const std::uint8_t> table, SmbiosVersion version);

// The name DSP0134 gives a Memory Device type byte ("DDR4", "RAM", ...).
std::string memory_type_name(std::uint8_t type);

}  // namespace ferrum::agent
