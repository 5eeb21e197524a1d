#include <algorithm>
#include <cmath>

#include "ferrum/kube/workqueue.hpp"

namespace ferrum::kube {

ExponentialRateLimiter::ExponentialRateLimiter(Clock::Duration base, Clock::Duration max)
    : base_(base), max_(max) {}

Clock::Duration ExponentialRateLimiter::when(const std::string& key) {
  std::lock_guard l(mu_);
  int exp = failures_[key]++;
  // Doubling past the cap in floating point cannot overflow.
  double d = std::chrono::duration<double>(base_).count() * std::pow(2.0, std::min(exp, 200));
  if (d >= std::chrono::duration<double>(max_).count()) return max_;
  return std::chrono::duration_cast<Clock::Duration>(std::chrono::duration<double>(d));
}

void ExponentialRateLimiter::forget(const std::string& key) {
  std::lock_guard l(mu_);
  failures_.erase(key);
}

int ExponentialRateLimiter::num_requeues(const std::string& key) {
  std::lock_guard l(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

Clock::Duration MaxOfRateLimiter::when(const std::string& key) {
  Clock::Duration d{0};
  for (auto& l : limiters_) d = std::max(d, l->when(key));
  return d;
}
void MaxOfRateLimiter::forget(const std::string& key) {
  for (auto& l : limiters_) l->forget(key);
}
int MaxOfRateLimiter::num_requeues(const std::string& key) {
  int n = 0;
  for (auto& l : limiters_) n = std::max(n, l->num_requeues(key));
  return n;
}

std::unique_ptr<RateLimiter> default_controller_rate_limiter(Clock& clock) {
  std::vector<std::unique_ptr<RateLimiter>> v;
  v.push_back(std::make_unique<ExponentialRateLimiter>());
  v.push_back(std::make_unique<BucketRateLimiter>(10, 100, clock));
  return std::make_unique<MaxOfRateLimiter>(std::move(v));
}

WorkQueue::WorkQueue(WorkQueueSettings settings, Clock& clock, std::unique_ptr<RateLimiter> limiter)
    : settings_(std::move(settings)),
      clock_(clock),
      limiter_(limiter ? std::move(limiter) : default_controller_rate_limiter(clock)) {
  if (settings_.registry != nullptr) {
    auto& r = *settings_.registry;
    depth_ = &r.gauge("ferrum_workqueue_depth", "Keys waiting to be processed.", {"name"})
                  .with({settings_.name});
    adds_ =
        &r.counter("ferrum_workqueue_adds_total", "Keys added.", {"name"}).with({settings_.name});
    retries_ = &r.counter("ferrum_workqueue_retries_total", "Rate-limited re-adds.", {"name"})
                    .with({settings_.name});
  }
  waker_ = std::jthread([this](std::stop_token st) { waker_loop(st); });
}

WorkQueue::~WorkQueue() {
  shutdown();
  waker_.request_stop();
  waker_.join();
}

void WorkQueue::update_depth_locked() {
  if (depth_) depth_->set(static_cast<double>(queue_.size()));
}

void WorkQueue::add_locked(const std::string& key) {
  if (shutdown_) return;
  if (adds_) adds_->inc();
  if (!dirty_.insert(key).second) return;
  if (processing_.count(key)) return;  // done() queues it again
  queue_.push_back(key);
  update_depth_locked();
  cv_.notify_one();
}

void WorkQueue::add(const std::string& key) {
  std::lock_guard l(mu_);
  add_locked(key);
}

void WorkQueue::add_after(const std::string& key, Clock::Duration delay) {
  std::lock_guard l(mu_);
  if (shutdown_) return;
  if (delay <= Clock::Duration::zero()) return add_locked(key);
  auto ready = clock_.monotonic() + std::chrono::duration_cast<Clock::MonoTime::duration>(delay);
  auto it = waiting_.find(key);
  if (it != waiting_.end()) {
    if (it->second <= ready) return;  // an earlier add is already pending
    waiting_by_time_.erase({it->second, key});
    it->second = ready;
  } else {
    waiting_.emplace(key, ready);
  }
  bool earliest = waiting_by_time_.empty() || ready < waiting_by_time_.begin()->first;
  waiting_by_time_.insert({ready, key});
  if (earliest) {
    waker_sleep_.request_stop();
    waker_cv_.notify_all();
  }
}

void WorkQueue::add_rate_limited(const std::string& key) {
  if (retries_) retries_->inc();
  add_after(key, limiter_->when(key));
}

void WorkQueue::forget(const std::string& key) { limiter_->forget(key); }
int WorkQueue::num_requeues(const std::string& key) { return limiter_->num_requeues(key); }

std::optional<std::string> WorkQueue::get() {
  std::unique_lock l(mu_);
  cv_.wait(l, [&] { return shutdown_ || !queue_.empty(); });
  if (shutdown_) return std::nullopt;
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  processing_.insert(key);
  dirty_.erase(key);
  update_depth_locked();
  return key;
}

void WorkQueue::done(const std::string& key) {
  std::lock_guard l(mu_);
  processing_.erase(key);
  if (dirty_.count(key) && !shutdown_) {
    queue_.push_back(key);
    update_depth_locked();
    cv_.notify_one();
  }
}

void WorkQueue::shutdown() {
  std::lock_guard l(mu_);
  shutdown_ = true;
  waker_sleep_.request_stop();
  cv_.notify_all();
  waker_cv_.notify_all();
}

bool WorkQueue::shutting_down() const {
  std::lock_guard l(mu_);
  return shutdown_;
}

std::size_t WorkQueue::len() const {
  std::lock_guard l(mu_);
  return queue_.size();
}

std::size_t WorkQueue::waiting() const {
  std::lock_guard l(mu_);
  return waiting_.size();
}

void WorkQueue::waker_loop(std::stop_token st) {
  std::unique_lock l(mu_);
  while (!shutdown_ && !st.stop_requested()) {
    const auto now = clock_.monotonic();
    while (!waiting_by_time_.empty() && waiting_by_time_.begin()->first <= now) {
      std::string key = waiting_by_time_.begin()->second;
      waiting_by_time_.erase(waiting_by_time_.begin());
      waiting_.erase(key);
      add_locked(key);
    }
    if (waiting_by_time_.empty()) {
      waker_cv_.wait(l,
                     [&] { return shutdown_ || st.stop_requested() || !waiting_by_time_.empty(); });
      continue;
    }
    const auto next = waiting_by_time_.begin()->first;
    waker_sleep_ = std::stop_source();
    auto token = waker_sleep_.get_token();
    l.unlock();
    clock_.sleep_until(next, token);
    l.lock();
  }
}

}  // namespace ferrum::kube
