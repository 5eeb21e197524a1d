#include "wipe_plan.hpp"

#include <gtest/gtest.h>

#include "fake_root.hpp"

namespace ferrum::agent {
namespace {

TEST(NormalizeRanges, SortMergeClip) {
  struct Case {
    std::vector<ByteRange> in;
    std::uint64_t size;
    std::vector<ByteRange> out;
  } cases[] = {
      {{{10, 5}, {0, 5}}, 100, {{0, 5}, {10, 5}}},
      {{{0, 10}, {10, 10}}, 100, {{0, 20}}},  // touching ranges merge
      {{{0, 10}, {5, 20}, {2, 3}}, 100, {{0, 25}}},
      {{{90, 20}}, 100, {{90, 10}}},  // clipped at the end
      {{{100, 5}, {3, 0}}, 100, {}},  // past the end, empty
  };
  for (const auto& c : cases) EXPECT_EQ(normalize_ranges(c.in, c.size), c.out);
}

TEST(PlanWipe, WhichDevicesOnAFakeTree) {
  FakeRoot r;
  r.disk("sda", 2 * 1024 * 1024 * 8);  // 8 GiB
  r.disk("sdb", 1000, "1", "1");       // read-only
  r.disk("sdc", 1000, "1", "0", "1");  // removable (a USB stick)
  r.disk("loop0", 1000);
  r.disk("ram0", 1000);
  r.disk("zram0", 1000);
  r.disk("dm-0", 1000);
  r.disk("sr0", 0);
  r.disk("vda", 0);  // no medium
  r.disk("nvme0n1", 4096);
  auto plan = plan_wipe(list_block_devices(r.path()), WipeMode::kFast);
  ASSERT_EQ(plan.devices.size(), 2u);
  EXPECT_EQ(plan.devices[0].name, "nvme0n1");
  EXPECT_EQ(plan.devices[1].name, "sda");
  EXPECT_EQ(plan.devices[1].dev_path, (r.path() / "dev/sda").string());
  std::map<std::string, std::string> skipped;
  for (const auto& s : plan.skipped) skipped[s.name] = s.reason;
  EXPECT_EQ(skipped, (std::map<std::string, std::string>{{"dm-0", "virtual device"},
                                                         {"loop0", "virtual device"},
                                                         {"ram0", "virtual device"},
                                                         {"sdb", "read-only"},
                                                         {"sdc", "removable"},
                                                         {"sr0", "virtual device"},
                                                         {"vda", "empty (size 0)"},
                                                         {"zram0", "virtual device"}}));
}

TEST(PlanWipe, FastRangesCoverDiskAndPartitionEnds) {
  FakeRoot r;
  // 64 MiB disk, GPT-style partitions: p1 at 1 MiB for 16 MiB, p2 at 20 MiB for 40 MiB.
  r.disk("vda", 131072);
  r.partition("vda", "vda1", 2048, 32768);
  r.partition("vda", "vda2", 40960, 81920);
  auto plan = plan_wipe(list_block_devices(r.path()), WipeMode::kFast);
  ASSERT_EQ(plan.devices.size(), 1u);
  const std::uint64_t M = kMiB;
  // Disk [0,1M) and p1 [1M,2M) merge; p1 end [16M,17M); p2 [20M,21M), [59M,60M); disk end.
  EXPECT_EQ(
      plan.devices[0].ranges,
      (std::vector<ByteRange>{{0, 2 * M}, {16 * M, M}, {20 * M, M}, {59 * M, M}, {63 * M, M}}));
  EXPECT_EQ(plan.devices[0].bytes(), 6 * M);
}

TEST(PlanWipe, SmallDiskAndFullMode) {
  FakeRoot r;
  r.disk("vda", 1024);  // 512 KiB: both ends are the whole disk
  auto fast = plan_wipe(list_block_devices(r.path()), WipeMode::kFast);
  ASSERT_EQ(fast.devices.size(), 1u);
  EXPECT_EQ(fast.devices[0].ranges, (std::vector<ByteRange>{{0, 512 * 1024}}));
  r.disk("vdb", 131072);
  r.partition("vdb", "vdb1", 2048, 1000);
  auto full = plan_wipe(list_block_devices(r.path()), WipeMode::kFull);
  ASSERT_EQ(full.devices.size(), 2u);
  EXPECT_EQ(full.devices[1].ranges, (std::vector<ByteRange>{{0, 64 * kMiB}}));
}

}  // namespace
}  // namespace ferrum::agent
