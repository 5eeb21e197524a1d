#include "ferrum/worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

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

}  // namespace
}  // namespace ferrum
