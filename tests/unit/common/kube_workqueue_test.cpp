// Work queue semantics on a manual clock: dedup, in-flight re-add, delays, backoff growth,
// forget, shutdown, metrics.
#include <gtest/gtest.h>

#include <future>

#include "ferrum/kube/workqueue.hpp"

using namespace ferrum;
using namespace ferrum::kube;
using namespace std::chrono_literals;

namespace {
std::unique_ptr<RateLimiter> exp_only() {
  return std::make_unique<ExponentialRateLimiter>(5ms, 1000s);
}
}  // namespace

TEST(ExponentialRateLimiter, DoublesFromBaseToCap) {
  ExponentialRateLimiter l(5ms, 1000s);
  EXPECT_EQ(l.when("a"), 5ms);
  EXPECT_EQ(l.when("a"), 10ms);
  EXPECT_EQ(l.when("a"), 20ms);
  EXPECT_EQ(l.when("b"), 5ms);  // per key
  EXPECT_EQ(l.num_requeues("a"), 3);
  for (int i = 0; i < 30; ++i) l.when("a");
  EXPECT_EQ(l.when("a"), 1000s);
  for (int i = 0; i < 1000; ++i) l.when("a");  // no overflow far past the cap
  EXPECT_EQ(l.when("a"), 1000s);
  l.forget("a");
  EXPECT_EQ(l.num_requeues("a"), 0);
  EXPECT_EQ(l.when("a"), 5ms);
}

TEST(DefaultControllerRateLimiter, OverallBucketKicksInAfterBurst) {
  ManualClock clock;
  auto l = default_controller_rate_limiter(clock);
  // 100 distinct keys fit the burst: each only waits its own 5ms.
  for (int i = 0; i < 100; ++i) ASSERT_EQ(l->when("k" + std::to_string(i)), 5ms) << i;
  // The 101st waits for the 10 qps bucket.
  EXPECT_EQ(l->when("k100"), 100ms);
}

TEST(WorkQueue, DuplicateKeysAreQueuedOnce) {
  ManualClock clock;
  WorkQueue q({}, clock, exp_only());
  q.add("a");
  q.add("b");
  q.add("a");
  EXPECT_EQ(q.len(), 2u);
  EXPECT_EQ(q.get(), "a");
  EXPECT_EQ(q.get(), "b");
  EXPECT_EQ(q.len(), 0u);
}

TEST(WorkQueue, KeyBeingProcessedIsNotHandedOutAgainUntilDone) {
  ManualClock clock;
  WorkQueue q({}, clock, exp_only());
  q.add("a");
  auto k = q.get();
  ASSERT_EQ(k, "a");
  q.add("a");  // changed while a worker holds it
  q.add("a");
  EXPECT_EQ(q.len(), 0u);  // not given to a second worker
  q.add("b");
  EXPECT_EQ(q.get(), "b");
  q.done("b");
  q.done("a");
  EXPECT_EQ(q.len(), 1u);  // processed again, once
  EXPECT_EQ(q.get(), "a");
  q.done("a");
  EXPECT_EQ(q.len(), 0u);
}

TEST(WorkQueue, DoneWithoutReAddDoesNotRequeue) {
  ManualClock clock;
  WorkQueue q({}, clock, exp_only());
  q.add("a");
  ASSERT_EQ(q.get(), "a");
  q.done("a");
  EXPECT_EQ(q.len(), 0u);
}

TEST(WorkQueue, AddAfterWaitsForTheClock) {
  ManualClock clock;
  WorkQueue q({}, clock, exp_only());
  q.add_after("late", 10s);
  q.add_after("early", 2s);
  EXPECT_EQ(q.len(), 0u);
  EXPECT_EQ(q.waiting(), 2u);
  clock.wait_for_sleepers(1);
  clock.advance(2s);
  EXPECT_EQ(q.get(), "early");
  EXPECT_EQ(q.len(), 0u);
  clock.wait_for_sleepers(1);
  clock.advance(7s);
  clock.wait_for_sleepers(1);  // waker went back to sleep: still 1s to go
  EXPECT_EQ(q.len(), 0u);
  clock.advance(1s);
  EXPECT_EQ(q.get(), "late");
}

TEST(WorkQueue, EarlierAddAfterWins) {
  ManualClock clock;
  WorkQueue q({}, clock, exp_only());
  q.add_after("a", 1h);
  q.add_after("a", 1s);
  q.add_after("a", 2h);  // later: ignored
  EXPECT_EQ(q.waiting(), 1u);
  clock.wait_for_sleepers(1);
  clock.advance(1s);
  EXPECT_EQ(q.get(), "a");
  EXPECT_EQ(q.waiting(), 0u);
}

TEST(WorkQueue, ZeroDelayAddsAtOnce) {
  ManualClock clock;
  WorkQueue q({}, clock, exp_only());
  q.add_after("a", 0s);
  EXPECT_EQ(q.len(), 1u);
}

TEST(WorkQueue, RateLimitedAddsBackOffExponentiallyUntilForget) {
  ManualClock clock;
  WorkQueue q({}, clock, exp_only());
  // Each failure doubles the wait: 5ms, 10ms, 20ms.
  for (auto wait : {5ms, 10ms, 20ms}) {
    q.add_rate_limited("a");
    clock.wait_for_sleepers(1);
    clock.advance(wait - 1ms);
    clock.wait_for_sleepers(1);
    EXPECT_EQ(q.len(), 0u) << wait.count();
    clock.advance(1ms);
    ASSERT_EQ(q.get(), "a");
    q.done("a");
  }
  EXPECT_EQ(q.num_requeues("a"), 3);
  q.forget("a");
  EXPECT_EQ(q.num_requeues("a"), 0);
  q.add_rate_limited("a");
  clock.wait_for_sleepers(1);
  clock.advance(5ms);
  EXPECT_EQ(q.get(), "a");
}

TEST(WorkQueue, ShutdownWakesBlockedGetters) {
  ManualClock clock;
  WorkQueue q({}, clock, exp_only());
  auto f1 = std::async(std::launch::async, [&] { return q.get(); });
  auto f2 = std::async(std::launch::async, [&] { return q.get(); });
  q.shutdown();
  EXPECT_EQ(f1.get(), std::nullopt);
  EXPECT_EQ(f2.get(), std::nullopt);
  q.add("a");
  EXPECT_EQ(q.len(), 0u);
  EXPECT_TRUE(q.shutting_down());
}

TEST(WorkQueue, DepthGaugeFollowsTheQueue) {
  ManualClock clock;
  metrics::Registry reg;
  WorkQueue q({"servers", &reg}, clock, exp_only());
  q.add("a");
  q.add("b");
  q.add("a");
  std::string text = reg.expose();
  EXPECT_NE(text.find("ferrum_workqueue_depth{name=\"servers\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("ferrum_workqueue_adds_total{name=\"servers\"} 3"), std::string::npos)
      << text;
  q.get();
  EXPECT_NE(reg.expose().find("ferrum_workqueue_depth{name=\"servers\"} 1"), std::string::npos);
}

TEST(WorkQueue, ManyWorkersNeverShareAKey) {
  ManualClock clock;
  WorkQueue q({}, clock, exp_only());
  std::mutex mu;
  std::set<std::string> in_flight;
  std::atomic<bool> overlap{false};
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      while (auto k = q.get()) {
        {
          std::lock_guard l(mu);
          if (!in_flight.insert(*k).second) overlap = true;
        }
        q.add(*k);  // re-added while in flight
        {
          std::lock_guard l(mu);
          in_flight.erase(*k);
        }
        if (++processed >= 2000) q.shutdown();
        q.done(*k);
      }
    });
  }
  for (int i = 0; i < 3; ++i) q.add("k" + std::to_string(i));
  for (auto& t : workers) t.join();
  EXPECT_FALSE(overlap);
  EXPECT_GE(processed.load(), 2000);
}
