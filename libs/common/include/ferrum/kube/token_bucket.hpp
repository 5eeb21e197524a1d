#pragma once
// Client-side request rate limit: a token bucket of `burst` tokens refilled at `qps` per
// second (golang.org/x/time/rate semantics, as client-go's flowcontrol uses).
//
// Contract: reserve() takes a token now and says how long the caller must wait before using
// it; reservations queue up (a bucket in debt makes every later caller wait longer), so
// callers are served in order at exactly `qps` once the burst is spent. qps <= 0 disables
// the limit. Thread-safe.

#include <mutex>
#include <stop_token>

#include "ferrum/clock.hpp"

namespace ferrum::kube {

class TokenBucket {
 public:
  TokenBucket(double qps, int burst, Clock& clock);

  Clock::Duration reserve();
  // reserve() and sleep it off; false when `stop` came first.
  bool wait(std::stop_token stop);
  double qps() const { return qps_; }
  int burst() const { return burst_; }

 private:
  const double qps_;
  const int burst_;
  Clock& clock_;
  std::mutex mu_;
  double tokens_;
  Clock::MonoTime last_;
};

}  // namespace ferrum::kube
