#include <algorithm>
#include <cmath>

#include "ferrum/kube/token_bucket.hpp"

namespace ferrum::kube {

TokenBucket::TokenBucket(double qps, int burst, Clock& clock)
    : qps_(qps),
      burst_(std::max(burst, 1)),
      clock_(clock),
      tokens_(std::max(burst, 1)),
      last_(clock.monotonic()) {}

Clock::Duration TokenBucket::reserve() {
  if (qps_ <= 0) return Clock::Duration::zero();
  std::lock_guard lock(mu_);
  auto now = clock_.monotonic();
  if (now > last_) {
    double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min<double>(burst_, tokens_ + elapsed * qps_);
    last_ = now;
  }
  tokens_ -= 1;
  if (tokens_ >= 0) return Clock::Duration::zero();
  return std::chrono::duration_cast<Clock::Duration>(
      std::chrono::duration<double>(-tokens_ / qps_));
}

bool TokenBucket::wait(std::stop_token stop) {
  auto d = reserve();
  if (d <= Clock::Duration::zero()) return !stop.stop_requested();
  return clock_.sleep_for(d, std::move(stop));
}

}  // namespace ferrum::kube
