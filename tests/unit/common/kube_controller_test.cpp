// The controller runner: workers, success forgets, errors back off, terminal errors stop,
// requeue_after, exceptions, stop.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <future>
#include <map>

#include "ferrum/kube/controller.hpp"

using namespace ferrum;
using namespace ferrum::kube;
using namespace std::chrono_literals;

namespace {

log::Logger quiet() { return log::discard("ctrl"); }

// Records calls and lets the test decide each call's outcome; signals every call.
struct Script {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> calls;
  std::map<std::string, std::deque<Expected<ReconcileResult, ReconcileError>>> outcomes;

  Reconciler reconciler() {
    return [this](const std::string& key,
                  std::stop_token) -> Expected<ReconcileResult, ReconcileError> {
      std::unique_lock l(mu);
      calls.push_back(key);
      cv.notify_all();
      auto& q = outcomes[key];
      if (q.empty()) return ReconcileResult{};
      auto r = q.front();
      q.pop_front();
      if (!r && r.error().message == "throw") throw std::runtime_error("boom");
      return r;
    };
  }
  void wait_calls(std::size_t n) {
    std::unique_lock l(mu);
    cv.wait(l, [&] { return calls.size() >= n; });
  }
  std::vector<std::string> snapshot() {
    std::lock_guard l(mu);
    return calls;
  }
};

struct Running {
  std::stop_source stop;
  std::future<void> done;
  Running(Controller& c) {
    done = std::async(std::launch::async, [&c, t = stop.get_token()] { c.run(t); });
  }
  ~Running() {
    stop.request_stop();
    done.get();
  }
};

}  // namespace

TEST(Controller, SuccessReconcilesOnceAndForgets) {
  ManualClock clock;
  Script s;
  Controller c({"t", 2}, s.reconciler(), clock, quiet(),
               std::make_unique<ExponentialRateLimiter>(5ms, 1000s));
  Running run(c);
  c.enqueue("ns/a");
  s.wait_calls(1);
  EXPECT_EQ(c.queue().num_requeues("ns/a"), 0);
}

TEST(Controller, RetriableErrorBacksOffThenSucceeds) {
  ManualClock clock;
  Script s;
  s.outcomes["a"].push_back(unexpected(ReconcileError{"first", false}));
  s.outcomes["a"].push_back(unexpected(ReconcileError{"second", false}));
  Controller c({"t", 1}, s.reconciler(), clock, quiet(),
               std::make_unique<ExponentialRateLimiter>(5ms, 1000s));
  Running run(c);
  c.enqueue("a");
  s.wait_calls(1);
  clock.wait_for_sleepers(1);  // the key waits out 5ms
  EXPECT_EQ(c.queue().waiting(), 1u);
  EXPECT_EQ(c.queue().num_requeues("a"), 1);
  clock.advance(5ms);
  s.wait_calls(2);
  clock.wait_for_sleepers(1);
  EXPECT_EQ(c.queue().num_requeues("a"), 2);
  clock.advance(9ms);  // second backoff is 10ms
  clock.wait_for_sleepers(1);
  EXPECT_EQ(s.snapshot().size(), 2u);
  clock.advance(1ms);
  s.wait_calls(3);
  // Success forgets the backoff; wait until the queue is idle again.
  while (c.queue().num_requeues("a") != 0) std::this_thread::yield();
  EXPECT_EQ(c.queue().waiting(), 0u);
}

TEST(Controller, TerminalErrorIsNotRetried) {
  ManualClock clock;
  Script s;
  s.outcomes["a"].push_back(unexpected(ReconcileError{"bad spec", true}));
  Controller c({"t", 1}, s.reconciler(), clock, quiet(),
               std::make_unique<ExponentialRateLimiter>(5ms, 1000s));
  Running run(c);
  c.enqueue("a");
  c.enqueue("b");  // processed after "a" by the single worker
  s.wait_calls(2);
  EXPECT_EQ(s.snapshot(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.queue().waiting(), 0u);
  EXPECT_EQ(c.queue().num_requeues("a"), 0);
}

TEST(Controller, ExceptionCountsAsRetriableError) {
  ManualClock clock;
  Script s;
  s.outcomes["a"].push_back(unexpected(ReconcileError{"throw", false}));
  Controller c({"t", 1}, s.reconciler(), clock, quiet(),
               std::make_unique<ExponentialRateLimiter>(5ms, 1000s));
  Running run(c);
  c.enqueue("a");
  s.wait_calls(1);
  clock.wait_for_sleepers(1);
  clock.advance(5ms);
  s.wait_calls(2);
}

TEST(Controller, RequeueAfterComesBackOnTheClock) {
  ManualClock clock;
  Script s;
  s.outcomes["a"].push_back(ReconcileResult{30s});
  Controller c({"t", 1}, s.reconciler(), clock, quiet(),
               std::make_unique<ExponentialRateLimiter>(5ms, 1000s));
  Running run(c);
  c.enqueue("a");
  s.wait_calls(1);
  clock.wait_for_sleepers(1);
  clock.advance(29s);
  clock.wait_for_sleepers(1);
  EXPECT_EQ(s.snapshot().size(), 1u);
  clock.advance(1s);
  s.wait_calls(2);
  EXPECT_EQ(c.queue().num_requeues("a"), 0);  // a requeue is not a failure
}

TEST(Controller, WorkersRunInParallelAndStopEndsRun) {
  ManualClock clock;
  std::mutex mu;
  std::condition_variable cv;
  int inside = 0;
  bool release = false;
  Controller c(
      {"t", 3},
      [&](const std::string&, std::stop_token) -> Expected<ReconcileResult, ReconcileError> {
        std::unique_lock l(mu);
        ++inside;
        cv.notify_all();
        cv.wait(l, [&] { return release; });
        return ReconcileResult{};
      },
      clock, quiet(), std::make_unique<ExponentialRateLimiter>(5ms, 1000s));
  {
    Running run(c);
    c.enqueue("a");
    c.enqueue("b");
    c.enqueue("c");
    std::unique_lock l(mu);
    cv.wait(l, [&] { return inside == 3; });  // three keys at once on three workers
    release = true;
    cv.notify_all();
  }  // stop; run() returns once in-flight reconciles finish
  EXPECT_TRUE(c.queue().shutting_down());
}
