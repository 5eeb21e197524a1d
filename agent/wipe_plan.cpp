#include "wipe_plan.hpp"

#include <algorithm>

namespace ferrum::agent {

std::uint64_t DeviceWipe::bytes() const {
  std::uint64_t n = 0;
  for (const auto& r : ranges) n += r.length;
  return n;
}

std::vector<ByteRange> normalize_ranges(std::vector<ByteRange> ranges, std::uint64_t size) {
  std::vector<ByteRange> clipped;
  for (auto r : ranges) {
    if (r.offset >= size || r.length == 0) continue;
    r.length = std::min(r.length, size - r.offset);
    clipped.push_back(r);
  }
  std::sort(clipped.begin(), clipped.end(),
            [](const auto& a, const auto& b) { return a.offset < b.offset; });
  std::vector<ByteRange> out;
  for (const auto& r : clipped) {
    if (!out.empty() && r.offset <= out.back().offset + out.back().length) {
      auto end = std::max(out.back().offset + out.back().length, r.offset + r.length);
      out.back().length = end - out.back().offset;
    } else {
      out.push_back(r);
    }
  }
  return out;
}

namespace {

// First and last MiB of [start, start+len).
void add_ends(std::vector<ByteRange>& out, std::uint64_t start, std::uint64_t len) {
  if (len == 0) return;
  std::uint64_t n = std::min(len, kMiB);
  out.push_back({start, n});
  out.push_back({start + len - n, n});
}

}  // namespace

WipePlan plan_wipe(const std::vector<BlockDevice>& devices, WipeMode mode) {
  WipePlan plan;
  for (const auto& d : devices) {
    std::string why;
    if (d.virtual_device) {
      why = "virtual device";
    } else if (d.read_only) {
      why = "read-only";
    } else if (d.removable) {
      why = "removable";
    } else if (d.size == 0) {
      why = "empty (size 0)";
    }
    if (!why.empty()) {
      plan.skipped.push_back({d.name, why});
      continue;
    }
    DeviceWipe w{d.name, d.dev_path, d.size, {}};
    if (mode == WipeMode::kFull) {
      w.ranges.push_back({0, d.size});
    } else {
      add_ends(w.ranges, 0, d.size);
      for (const auto& p : d.partitions) add_ends(w.ranges, p.start, p.size);
    }
    w.ranges = normalize_ranges(std::move(w.ranges), d.size);
    plan.devices.push_back(std::move(w));
  }
  return plan;
}

}  // namespace ferrum::agent
