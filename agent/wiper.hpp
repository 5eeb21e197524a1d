#pragma once
// Executes a WipePlan: every device in its own thread (at most `parallel` at once), ranges
// zeroed in chunks of at most 64 MiB so progress can be reported between them. Per chunk it
// asks the kernel to zero (BLKZEROOUT, which the kernel offloads as WRITE ZEROES or does
// itself), and on a device or file that does not support it writes zeroes; BLKDISCARD is
// not used because a discarded range need not read back as zeroes. Data is synced before a
// device counts as wiped.
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "wipe_plan.hpp"

namespace ferrum::agent {

struct WipeResult {
  std::string name;
  bool ok = false;
  std::string error;        // what failed, with errno text
  std::string method;       // "BLKZEROOUT", "write" or "BLKZEROOUT+write"
  std::uint64_t bytes = 0;  // zeroed
};

// Called from the wiping threads (serialise inside if needed) with cumulative bytes.
using WipeProgress =
    std::function<void(const DeviceWipe& dev, std::uint64_t done, std::uint64_t total)>;

// Zeroes one device's ranges.
WipeResult wipe_device(const DeviceWipe& dev, const WipeProgress& progress);

// Zeroes every device of the plan; results in plan order.
std::vector<WipeResult> wipe_all(const WipePlan& plan, int parallel, const WipeProgress& progress);

}  // namespace ferrum::agent
