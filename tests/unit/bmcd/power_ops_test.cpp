#include "power_ops.hpp"

#include <gtest/gtest.h>

#include "fake_ipmi.hpp"

namespace ferrum::bmcd {
namespace {

using std::chrono::milliseconds;
using testing::FakeDriver;
using testing::Machine;
using Log = std::vector<std::string>;

constexpr auto T = BmcErrorKind::kTimeout;
constexpr auto A = BmcErrorKind::kAuth;
constexpr auto B = BmcErrorKind::kBmcError;

struct Case {
  std::string name;
  OpRequest req;
  bool on_before;
  std::deque<std::optional<BmcErrorKind>> failures;
  int retries;
  bool wait_allows;
  // want
  std::optional<BmcErrorKind> error;
  Log steps;
  bool on_after;
  bool from_off = false;
  int waits = 0;
};

TEST(RunOp, Table) {
  std::vector<Case> cases = {
      {"on when off", {Op::kPowerOn}, false, {}, 2, true, {}, {"status", "up"}, true},
      {"on when on sends nothing", {Op::kPowerOn}, true, {}, 2, true, {}, {"status"}, true},
      {"off when on", {Op::kPowerOff}, true, {}, 2, true, {}, {"status", "down"}, false},
      {"off when off sends nothing", {Op::kPowerOff}, false, {}, 2, true, {}, {"status"}, false},
      {"cycle when on", {Op::kPowerCycle}, true, {}, 2, true, {}, {"status", "cycle"}, true},
      {"cycle when off powers on",
       {Op::kPowerCycle},
       false,
       {},
       2,
       true,
       {},
       {"status", "up"},
       true,
       true},
      {"state", {Op::kPowerState}, true, {}, 2, true, {}, {"status"}, true},
      {"boot",
       {Op::kSetBootDevice, BootDevice::kDisk, BootMode::kUefi},
       false,
       {},
       2,
       true,
       {},
       {"boot"},
       false},
      {"timeout retried then ok",
       {Op::kPowerOn},
       false,
       {T, std::nullopt, T},
       2,
       true,
       {},
       {"status", "status", "up", "up"},
       true,
       false,
       2},
      {"timeouts exhaust retries",
       {Op::kPowerState},
       false,
       {T, T, T, T},
       2,
       true,
       T,
       {"status", "status", "status"},
       false,
       false,
       2},
      {"no retries configured", {Op::kPowerState}, false, {T}, 0, true, T, {"status"}, false},
      {"deadline stops retries",
       {Op::kPowerOff},
       true,
       {T},
       5,
       false,
       T,
       {"status"},
       true,
       false,
       1},
      {"auth never retried", {Op::kPowerOn}, false, {A}, 5, true, A, {"status"}, false},
      {"bmc error on control never retried",
       {Op::kPowerOn},
       false,
       {std::nullopt, B},
       5,
       true,
       B,
       {"status", "up"},
       false},
      {"failed state sends no command", {Op::kPowerCycle}, true, {A}, 2, true, A, {"status"}, true},
  };
  for (auto& c : cases) {
    Machine m;
    m.on = c.on_before;
    m.failures = c.failures;
    FakeDriver d(m);
    int waits = 0;
    std::vector<milliseconds> delays;
    Wait wait = [&](milliseconds delay) {
      ++waits;
      delays.push_back(delay);
      return c.wait_allows;
    };
    auto r = run_op(c.req, d, RetryPolicy{c.retries, milliseconds(10), milliseconds(15)}, wait);
    if (c.error) {
      ASSERT_FALSE(r) << c.name;
      EXPECT_EQ(r.error().kind, *c.error) << c.name;
    } else {
      ASSERT_TRUE(r) << c.name << ": " << r.error().message;
      EXPECT_EQ(r->powered_on_from_off, c.from_off) << c.name;
      if (c.req.op != Op::kSetBootDevice) {
        EXPECT_EQ(r->powered_on, c.on_after) << c.name;
      }
    }
    EXPECT_EQ(m.log, c.steps) << c.name;
    EXPECT_EQ(m.on, c.on_after) << c.name;
    EXPECT_EQ(waits, c.waits) << c.name;
    if (c.name == "timeouts exhaust retries") {
      EXPECT_EQ(delays, (std::vector<milliseconds>{milliseconds(10), milliseconds(15)}));
    }
  }
}

TEST(RunOp, BootDeviceAndModeReachTheDriver) {
  Machine m;
  FakeDriver d(m);
  auto r = run_op(OpRequest{Op::kSetBootDevice, BootDevice::kPxe, BootMode::kUefi}, d, {},
                  [](milliseconds) { return true; });
  ASSERT_TRUE(r);
  EXPECT_EQ(m.boot, BootDevice::kPxe);
  EXPECT_EQ(m.mode, BootMode::kUefi);
  EXPECT_TRUE(r->command_sent);
}

}  // namespace
}  // namespace ferrum::bmcd
