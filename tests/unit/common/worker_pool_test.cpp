#include "ferrum/worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <vector>

namespace ferrum {
namespace {

TEST(WorkerPool, RunsJobsAndBoundsTheQueue) {
  WorkerPool pool(1, 2);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.submit([&, gate](bool) {
    started.set_value();
    gate.wait();
  }));
  started.get_future().wait();  // the only worker is busy now
  std::atomic<int> ran{0}, cancelled{0};
  auto count = [&](bool c) { (c ? cancelled : ran)++; };
  EXPECT_TRUE(pool.submit(count));
  EXPECT_TRUE(pool.submit(count));
  EXPECT_FALSE(pool.submit(count)) << "a third waiting job exceeds max_pending=2";
  EXPECT_EQ(pool.pending(), 2u);
  release.set_value();
  pool.stop();
  EXPECT_EQ(ran + cancelled, 2) << "every accepted job is invoked exactly once";
  EXPECT_FALSE(pool.submit(count)) << "no jobs after stop";
}

TEST(WorkerPool, StopCancelsWaitingJobs) {
  WorkerPool pool(1, 8);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.submit([&, gate](bool) {
    started.set_value();
    gate.wait();
  }));
  started.get_future().wait();
  std::atomic<int> cancelled{0};
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(pool.submit([&](bool c) {
      if (c) cancelled++;
    }));
  }
  std::thread stopper([&] { pool.stop(); });
  // stop() hands the waiting jobs back cancelled before joining the busy worker.
  while (pool.pending() != 0) std::this_thread::yield();
  release.set_value();
  stopper.join();
  EXPECT_EQ(cancelled, 3);
}

// A gate jobs wait on until the test opens it.
struct Gate {
  std::promise<void> p;
  std::shared_future<void> f = p.get_future().share();
  void open() { p.set_value(); }
  void wait() const { f.wait(); }
};

TEST(WorkerPoolKeyed, SameKeyIsSerializedOtherKeysRunInParallel) {
  WorkerPool ex(2, 16);
  Gate gate;
  std::promise<void> first_running, b_done, second_done;
  std::atomic<bool> second_started{false};
  std::vector<int> order;
  ASSERT_TRUE(ex.submit("a", [&](bool) {
    order.push_back(1);
    first_running.set_value();
    gate.wait();
  }));
  first_running.get_future().wait();
  ASSERT_TRUE(ex.submit("a", [&](bool c) {
    EXPECT_FALSE(c);
    second_started = true;
    order.push_back(2);
    second_done.set_value();
  }));
  ASSERT_TRUE(ex.submit("b", [&](bool) { b_done.set_value(); }));
  b_done.get_future().wait();           // "b" ran although "a" is busy: parallel across keys
  EXPECT_FALSE(second_started.load());  // the second "a" job waits for the first
  EXPECT_EQ(ex.pending(), 1u);
  gate.open();
  second_done.get_future().wait();
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  ex.stop();
}

TEST(WorkerPoolKeyed, ArrivalOrderWithinAKey) {
  WorkerPool ex(4, 64);
  Gate gate;
  std::vector<int> order;
  std::promise<void> done;
  ASSERT_TRUE(ex.submit("k", [&](bool) { gate.wait(); }));
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(ex.submit("k", [&, i](bool) {
      order.push_back(i);
      if (i == 9) done.set_value();
    }));
  }
  gate.open();
  done.get_future().wait();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(WorkerPoolKeyed, QueueIsBounded) {
  WorkerPool ex(1, 2);
  Gate gate;
  std::promise<void> running;
  ASSERT_TRUE(ex.submit("a", [&](bool) {
    running.set_value();
    gate.wait();
  }));
  running.get_future().wait();  // taken off the queue: 0 pending
  EXPECT_TRUE(ex.submit("b", [](bool) {}));
  EXPECT_TRUE(ex.submit("c", [](bool) {}));
  EXPECT_FALSE(ex.submit("d", [](bool) { ADD_FAILURE() << "a refused job ran"; }));
  gate.open();
  ex.stop();
}

TEST(WorkerPoolKeyed, StopAnswersWaitingJobsAsCancelled) {
  WorkerPool ex(1, 8);
  Gate gate;
  std::promise<void> running;
  std::atomic<int> cancelled{0}, ran{0};
  ASSERT_TRUE(ex.submit("a", [&](bool c) {
    if (!c) ++ran;
    running.set_value();
    gate.wait();
  }));
  running.get_future().wait();
  for (const char* k : {"a", "b", "c"}) {
    ASSERT_TRUE(ex.submit(k, [&](bool c) { c ? ++cancelled : ++ran; }));
  }
  std::thread stopper([&] { ex.stop(); });
  // Open the gate only once stop() has begun, so the waiting jobs cannot run normally first.
  while (!ex.stopping()) std::this_thread::yield();
  gate.open();
  stopper.join();
  EXPECT_EQ(ran.load(), 1);
  EXPECT_EQ(cancelled.load(), 3);
  EXPECT_FALSE(ex.submit("e", [](bool) {}));
}

TEST(WorkerPoolKeyed, UnkeyedJobsRunBesideABusyKeyAndShareTheBound) {
  WorkerPool ex(2, 2);
  Gate gate;
  std::promise<void> running, unkeyed_done, second_done;
  ASSERT_TRUE(ex.submit("a", [&](bool) {
    running.set_value();
    gate.wait();
  }));
  running.get_future().wait();
  ASSERT_TRUE(ex.submit("a", [&](bool c) {
    EXPECT_FALSE(c);
    second_done.set_value();
  }));
  ASSERT_TRUE(ex.submit([&](bool) { unkeyed_done.set_value(); }));
  unkeyed_done.get_future().wait();  // the free thread took it although "a" waits
  EXPECT_EQ(ex.pending(), 1u);
  EXPECT_TRUE(ex.submit([](bool) {}));
  // The gated job may still hold a thread; the other may or may not have taken the last job.
  gate.open();
  second_done.get_future().wait();
  ex.stop();
  EXPECT_EQ(ex.pending(), 0u);
  EXPECT_EQ(ex.running(), 0u);
}

}  // namespace
}  // namespace ferrum
