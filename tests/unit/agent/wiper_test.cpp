#include "wiper.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <mutex>

#include "fake_root.hpp"

namespace ferrum::agent {
namespace {

// Regular files stand in for disks: BLKZEROOUT fails with ENOTTY on them, so these runs
// exercise the write fallback with the same code that wipes block devices.
void fill(const std::filesystem::path& p, std::uint64_t size) {
  std::ofstream out(p, std::ios::binary);
  std::string block(4096, '\0');
  for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<char>(0xA5 ^ (i & 0xFF));
  for (std::uint64_t off = 0; off < size; off += block.size()) {
    out.write(block.data(),
              static_cast<std::streamsize>(std::min<std::uint64_t>(4096, size - off)));
  }
}

bool zero_byte(const std::string& data, std::uint64_t off) { return data[off] == 0; }

TEST(Wiper, FastPlanZeroesExactlyThePlannedRanges) {
  FakeRoot r;
  r.disk("vda", 8 * 2048);  // 8 MiB
  r.partition("vda", "vda1", 4 * 2048, 2048);
  r.disk("vdb", 4 * 2048);
  std::filesystem::create_directories(r.path() / "dev");
  fill(r.path() / "dev/vda", 8 * kMiB);
  fill(r.path() / "dev/vdb", 4 * kMiB);
  auto plan = plan_wipe(list_block_devices(r.path()), WipeMode::kFast);
  ASSERT_EQ(plan.devices.size(), 2u);
  std::mutex mu;
  std::map<std::string, std::uint64_t> last;
  auto results = wipe_all(plan, 2, [&](const DeviceWipe& d, std::uint64_t done, std::uint64_t) {
    std::lock_guard lock(mu);
    EXPECT_GT(done, last[d.name]);
    last[d.name] = done;
  });
  ASSERT_EQ(results.size(), 2u);
  for (const auto& res : results) {
    EXPECT_TRUE(res.ok) << res.error;
    EXPECT_EQ(res.method, "write");
  }
  EXPECT_EQ(results[0].bytes, 3 * kMiB);  // first MiB, the partition's only MiB, last MiB
  EXPECT_EQ(last["vda"], 3 * kMiB);
  std::ifstream in(r.path() / "dev/vda", std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), {});
  ASSERT_EQ(data.size(), 8 * kMiB);
  for (std::uint64_t off = 0; off < data.size(); off += 512) {
    bool planned = off < kMiB || (off >= 4 * kMiB && off < 5 * kMiB) || off >= 7 * kMiB;
    ASSERT_EQ(zero_byte(data, off), planned) << "offset " << off;
  }
}

TEST(Wiper, FullModeZeroesEverything) {
  FakeRoot r;
  r.disk("sda", 3 * 2048 + 7);  // not a multiple of the write buffer
  std::filesystem::create_directories(r.path() / "dev");
  fill(r.path() / "dev/sda", 3 * kMiB + 7 * 512);
  auto plan = plan_wipe(list_block_devices(r.path()), WipeMode::kFull);
  auto results = wipe_all(plan, 4, nullptr);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].ok) << results[0].error;
  std::ifstream in(r.path() / "dev/sda", std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(data.size(), 3 * kMiB + 7 * 512);
  EXPECT_EQ(data.find_first_not_of('\0'), std::string::npos);
}

TEST(Wiper, MissingDeviceFailsNamingIt) {
  DeviceWipe d{"sdz", "/nonexistent/dev/sdz", kMiB, {{0, kMiB}}};
  auto res = wipe_device(d, nullptr);
  EXPECT_FALSE(res.ok);
  EXPECT_EQ(res.error, "open /nonexistent/dev/sdz: No such file or directory");
}

}  // namespace
}  // namespace ferrum::agent
