#include "ferrum/clock.hpp"

namespace ferrum {

bool RealClock::sleep_for(Duration d, std::stop_token stop) {
  if (stop.stop_requested()) return false;
  if (d <= Duration::zero()) return true;
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  const auto deadline = std::chrono::steady_clock::now() + d;
  cv.wait_until(lock, stop, deadline, [] { return false; });
  return !stop.stop_requested();
}

Clock& real_clock() {
  static RealClock clock;
  return clock;
}

ManualClock::ManualClock()
    : ManualClock(WallTime(std::chrono::seconds(1893456000))) {}  // 2030-01-01T00:00:00Z

ManualClock::ManualClock(WallTime start) : wall_(start) {}

Clock::WallTime ManualClock::now() const {
  std::lock_guard lock(mu_);
  return wall_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(elapsed_);
}

Clock::MonoTime ManualClock::monotonic() const {
  std::lock_guard lock(mu_);
  return MonoTime(std::chrono::duration_cast<std::chrono::steady_clock::duration>(elapsed_));
}

bool ManualClock::sleep_for(Duration d, std::stop_token stop) {
  std::unique_lock lock(mu_);
  if (stop.stop_requested()) return false;
  if (d <= Duration::zero()) return true;
  const Duration deadline = elapsed_ + d;
  auto it = deadlines_.insert(deadline);
  cv_.notify_all();  // wait_for_sleepers()
  const bool reached = cv_.wait(lock, stop, [&] { return elapsed_ >= deadline; });
  if (!reached) deadlines_.erase(it);  // stopped early; advance() removes the reached ones
  return reached;
}

void ManualClock::advance(Duration d) {
  std::lock_guard lock(mu_);
  elapsed_ += d;
  deadlines_.erase(deadlines_.begin(), deadlines_.upper_bound(elapsed_));
  cv_.notify_all();
}

std::size_t ManualClock::sleepers() const {
  std::lock_guard lock(mu_);
  return deadlines_.size();
}

void ManualClock::wait_for_sleepers(std::size_t n) const {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return deadlines_.size() >= n; });
}

}  // namespace ferrum
