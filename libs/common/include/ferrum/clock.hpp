#pragma once
// Time as a dependency, so backoff, leader election and resync are testable without sleeping.
//
// Contract: now() is wall time (what goes into Kubernetes timestamps); monotonic() only ever
// moves forward and is what deadlines are computed from. sleep_for() returns true after the
// duration passed, false as soon as `stop` is requested (it never sleeps past a stop).
// ManualClock is the test double: time moves only when advance() is called, and sleepers
// wake when time reaches their deadline.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <set>
#include <stop_token>

namespace ferrum {

class Clock {
 public:
  using WallTime = std::chrono::system_clock::time_point;
  using MonoTime = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::nanoseconds;

  virtual ~Clock() = default;
  virtual WallTime now() const = 0;
  virtual MonoTime monotonic() const = 0;
  virtual bool sleep_for(Duration d, std::stop_token stop) = 0;
  bool sleep_until(MonoTime deadline, std::stop_token stop) {
    return sleep_for(deadline - monotonic(), std::move(stop));
  }
};

class RealClock final : public Clock {
 public:
  WallTime now() const override { return std::chrono::system_clock::now(); }
  MonoTime monotonic() const override { return std::chrono::steady_clock::now(); }
  bool sleep_for(Duration d, std::stop_token stop) override;
};

// Process-wide real clock for wiring in main() (stateless, so sharing it is harmless).
Clock& real_clock();

class ManualClock final : public Clock {
 public:
  // Starts at a fixed, recognisable wall time (2030-01-01T00:00:00Z) unless told otherwise.
  ManualClock();
  explicit ManualClock(WallTime start);

  WallTime now() const override;
  MonoTime monotonic() const override;
  bool sleep_for(Duration d, std::stop_token stop) override;

  void advance(Duration d);
  // Threads inside sleep_for() whose deadline is still ahead. advance() takes the ones it
  // wakes off at once, so after advance() this counts only threads that went back to sleep.
  std::size_t sleepers() const;
  // Blocks until at least `n` threads sleep towards a future deadline (tests synchronise on
  // this instead of on wall-clock time).
  void wait_for_sleepers(std::size_t n) const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable_any cv_;
  WallTime wall_;
  Duration elapsed_{0};
  std::multiset<Duration> deadlines_;  // of the sleepers not yet woken
};

}  // namespace ferrum
