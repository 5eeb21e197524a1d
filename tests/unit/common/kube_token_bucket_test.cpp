// Token bucket on a manual clock: burst first, then exactly qps, refill capped at burst.
#include <gtest/gtest.h>

#include <thread>

#include "ferrum/kube/config.hpp"
#include "ferrum/kube/token_bucket.hpp"

using namespace ferrum;
using namespace ferrum::kube;
using namespace std::chrono_literals;

TEST(TokenBucket, BurstIsFreeThenRequestsAreSpacedAtQps) {
  ManualClock clock;
  TokenBucket b(10, 3, clock);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(b.reserve(), 0ns) << i;
  EXPECT_EQ(b.reserve(), 100ms);
  EXPECT_EQ(b.reserve(), 200ms);  // reservations queue up behind each other
  clock.advance(250ms);           // 2.5 tokens refilled pay the 2 owed, half a token left
  EXPECT_EQ(b.reserve(), 50ms);
}

TEST(TokenBucket, RefillIsCappedAtBurst) {
  ManualClock clock;
  TokenBucket b(100, 2, clock);
  EXPECT_EQ(b.reserve(), 0ns);
  EXPECT_EQ(b.reserve(), 0ns);
  clock.advance(1h);
  EXPECT_EQ(b.reserve(), 0ns);
  EXPECT_EQ(b.reserve(), 0ns);
  EXPECT_EQ(b.reserve(), 10ms);
}

TEST(TokenBucket, ZeroQpsMeansUnlimited) {
  ManualClock clock;
  TokenBucket b(0, 1, clock);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(b.reserve(), 0ns);
}

TEST(TokenBucket, WaitSleepsOnTheClockAndStops) {
  ManualClock clock;
  TokenBucket b(1, 1, clock);
  EXPECT_TRUE(b.wait({}));
  std::stop_source stop;
  bool result = true;
  std::thread t([&] { result = b.wait(stop.get_token()); });
  clock.wait_for_sleepers(1);
  stop.request_stop();
  t.join();
  EXPECT_FALSE(result);

  std::thread t2([&] { result = b.wait({}); });
  clock.wait_for_sleepers(1);
  clock.advance(2s);
  t2.join();
  EXPECT_TRUE(result);
}

TEST(TokenBucket, DefaultConfigIsHigh) {
  RestConfig c;
  EXPECT_GE(c.qps, 500);
  EXPECT_GE(c.burst, 1000);
}
