#pragma once
// Retry delays for calls to ferrum-registry: initial, doubling, capped; attempt n (0-based)
// waits min(cap, initial * 2^n) scaled by a jitter factor in [1 - jitter, 1] drawn from
// `random01` so a rack of machines powered on together does not retry in lockstep.
#include <chrono>
#include <functional>

namespace ferrum::agent {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds cap, double jitter,
          std::function<double()> random01)
      : initial_(initial), cap_(cap), jitter_(jitter), random01_(std::move(random01)) {}
  std::chrono::milliseconds next();
  void reset() { attempt_ = 0; }
  int attempts() const { return attempt_; }

 private:
  std::chrono::milliseconds initial_, cap_;
  double jitter_;
  std::function<double()> random01_;
  int attempt_ = 0;
};

}  // namespace ferrum::agent
