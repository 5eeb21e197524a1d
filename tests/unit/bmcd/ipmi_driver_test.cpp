#include "ipmi_driver.hpp"

#include <gtest/gtest.h>

#include "fake_ipmi.hpp"

namespace ferrum::bmcd {
namespace {

using std::chrono::milliseconds;
using testing::FakeIpmi;
using testing::Machine;

const IpmiEndpoint kEp{"10.0.0.5", 623, IpmiInterface::kLanplus, "admin", "pw"};

TEST(IpmiDriver, SessionIsReusedAcrossCalls) {
  Machine m;
  FakeIpmi ipmi(m);
  ManualClock clock;
  SessionPool pool(milliseconds(20000), 16, clock);
  for (int i = 0; i < 3; ++i) {
    IpmiDriver d(ipmi, pool, kEp, milliseconds(1000));
    ASSERT_TRUE(d.powered_on());
    ASSERT_FALSE(d.chassis(ChassisAction::kPowerUp));
  }
  EXPECT_EQ(ipmi.opened, 1);
  EXPECT_EQ(*ipmi.alive, 1);
  EXPECT_EQ(pool.idle(), 1u);
}

TEST(IpmiDriver, DifferentPasswordsGetDifferentSessions) {
  Machine m;
  FakeIpmi ipmi(m);
  ManualClock clock;
  SessionPool pool(milliseconds(20000), 16, clock);
  IpmiEndpoint other = kEp;
  other.pass = "new";
  {
    IpmiDriver d(ipmi, pool, kEp, milliseconds(1000));
    ASSERT_TRUE(d.powered_on());
  }
  {
    IpmiDriver d(ipmi, pool, other, milliseconds(1000));
    ASSERT_TRUE(d.powered_on());
  }
  EXPECT_EQ(ipmi.opened, 2);
}

TEST(IpmiDriver, TimeoutDropsTheSessionBmcErrorKeepsIt) {
  Machine m;
  FakeIpmi ipmi(m);
  ManualClock clock;
  SessionPool pool(milliseconds(20000), 16, clock);
  {
    IpmiDriver d(ipmi, pool, kEp, milliseconds(1000));
    m.failures = {BmcErrorKind::kBmcError};
    auto r = d.powered_on();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, BmcErrorKind::kBmcError);
  }
  EXPECT_EQ(pool.idle(), 1u);  // a completion code says nothing bad about the session
  {
    IpmiDriver d(ipmi, pool, kEp, milliseconds(1000));
    ASSERT_TRUE(d.powered_on());  // reused
    m.failures = {BmcErrorKind::kAuth};
    ASSERT_TRUE(d.chassis(ChassisAction::kPowerUp).has_value());
  }
  EXPECT_EQ(pool.idle(), 0u);
  EXPECT_EQ(*ipmi.alive, 0);
  EXPECT_EQ(ipmi.opened, 1);
}

TEST(IpmiDriver, StaleReusedSessionIsReplacedOnce) {
  Machine m;
  FakeIpmi ipmi(m);
  ManualClock clock;
  SessionPool pool(milliseconds(20000), 16, clock);
  {
    IpmiDriver d(ipmi, pool, kEp, milliseconds(1000));
    ASSERT_TRUE(d.powered_on());
  }
  m.log.clear();
  {
    // The BMC dropped the idle session: the first command times out, a fresh session works.
    IpmiDriver d(ipmi, pool, kEp, milliseconds(1000));
    m.failures = {BmcErrorKind::kTimeout};
    auto r = d.powered_on();
    ASSERT_TRUE(r) << r.error().message;
  }
  EXPECT_EQ(ipmi.opened, 2);
  EXPECT_EQ(m.log, (std::vector<std::string>{"status", "status"}));
  {
    // A fresh session that times out is not tried again here (power_ops retries with backoff).
    IpmiDriver d(ipmi, pool, kEp, milliseconds(1000));
    pool.take(SessionPool::key_of(kEp));  // nothing pooled: the next step opens a new one
    m.failures = {BmcErrorKind::kTimeout};
    auto r = d.powered_on();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, BmcErrorKind::kTimeout);
  }
}

TEST(IpmiDriver, OpenFailureIsTheError) {
  Machine m;
  FakeIpmi ipmi(m);
  ManualClock clock;
  SessionPool pool(milliseconds(20000), 16, clock);
  ipmi.open_failures = {BmcErrorKind::kAuth};
  IpmiDriver d(ipmi, pool, kEp, milliseconds(1000));
  auto r = d.powered_on();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, BmcErrorKind::kAuth);
  EXPECT_NE(r.error().message.find("ipmi 10.0.0.5:623"), std::string::npos);
  EXPECT_TRUE(m.log.empty());
}

TEST(SessionPool, IdleSessionsExpireAndCapacityEvictsOldest) {
  Machine m;
  FakeIpmi ipmi(m);
  ManualClock clock;
  SessionPool pool(milliseconds(1000), 2, clock);
  auto open = [&] { return std::move(ipmi.open(kEp, milliseconds(1)).value()); };
  pool.put("a", open());
  clock.advance(milliseconds(600));
  pool.put("b", open());
  pool.put("c", open());  // over capacity: "a" (least recently returned) goes
  EXPECT_EQ(pool.idle(), 2u);
  EXPECT_EQ(*ipmi.alive, 2);
  EXPECT_EQ(pool.take("a"), nullptr);
  clock.advance(milliseconds(700));  // b, c idle 700 ms: kept
  auto c = pool.take("c");
  EXPECT_NE(c, nullptr);
  clock.advance(milliseconds(400));  // b idle 1100 ms: expired on the next take
  EXPECT_EQ(pool.take("b"), nullptr);
  EXPECT_EQ(pool.idle(), 0u);
  EXPECT_EQ(*ipmi.alive, 1);  // only the one taken out
}

}  // namespace
}  // namespace ferrum::bmcd
