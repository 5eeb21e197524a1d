#include "ferrum/signals.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

using namespace std::chrono_literals;

TEST(Signals, SigtermReachesTheWaiterFromAnotherThread) {
  ferrum::TerminationSignals signals;
  std::thread sender([] {
    std::this_thread::sleep_for(20ms);
    kill(getpid(), SIGTERM);
  });
  auto sig = signals.wait_for(5s);
  sender.join();
  ASSERT_TRUE(sig.has_value());
  EXPECT_EQ(*sig, SIGTERM);
}

TEST(Signals, TimesOutWithoutSignal) {
  ferrum::TerminationSignals signals;
  EXPECT_FALSE(signals.wait_for(10ms).has_value());
}

TEST(Signals, WaitOrReadableReturnsNothingWhenTheFdTurnsReadable) {
  ferrum::TerminationSignals signals;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  ASSERT_EQ(write(fds[1], "x", 1), 1);
  EXPECT_FALSE(signals.wait_or_readable(fds[0]).has_value());
  close(fds[0]);
  close(fds[1]);
}

TEST(Signals, WaitOrReadableReturnsTheSignal) {
  ferrum::TerminationSignals signals;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  kill(getpid(), SIGTERM);  // blocked, so pending until the wait takes it
  auto sig = signals.wait_or_readable(fds[0]);
  ASSERT_TRUE(sig.has_value());
  EXPECT_EQ(*sig, SIGTERM);
  close(fds[0]);
  close(fds[1]);
}
