#pragma once
// Which devices a wipe touches and which byte ranges of each.
// - Skipped, with the reason logged: read-only, removable (USB sticks, the virtual media the
//   machine may have booted from), virtual (loop, ram, zram, dm, md, optical), empty.
// - kFast (the registry's insecure_wipe): zero the first and last MiB of the disk (MBR,
//   primary and backup GPT) and of every partition (filesystem, LVM, RAID superblocks), so
//   nothing on the disk is recognised any more. kFull: the whole device.
// Ranges are sorted, merged and clipped to the device.
#include <cstdint>
#include <string>
#include <vector>

#include "inventory.hpp"

namespace ferrum::agent {

enum class WipeMode { kFast, kFull };

inline constexpr std::uint64_t kMiB = 1024 * 1024;

struct ByteRange {
  std::uint64_t offset = 0, length = 0;
  bool operator==(const ByteRange&) const = default;
};

struct DeviceWipe {
  std::string name, dev_path;
  std::uint64_t size = 0;
  std::vector<ByteRange> ranges;
  std::uint64_t bytes() const;
};

struct SkippedDevice {
  std::string name, reason;
};

struct WipePlan {
  std::vector<DeviceWipe> devices;
  std::vector<SkippedDevice> skipped;
};

WipePlan plan_wipe(const std::vector<BlockDevice>& devices, WipeMode mode);

// Sorts, merges overlapping or touching ranges, clips to [0, size), drops empty ones.
std::vector<ByteRange> normalize_ranges(std::vector<ByteRange> ranges, std::uint64_t size);

}  // namespace ferrum::agent
