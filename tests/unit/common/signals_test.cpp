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
