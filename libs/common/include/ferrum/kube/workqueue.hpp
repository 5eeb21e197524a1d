#pragma once
// The rate-limited work queue controllers run on (client-go's workqueue semantics).
//
// Contract:
// - Keys, not events: a key waiting in the queue is there once however often it is added.
// - A key handed out by get() is "processing" until done(key): it is never handed to a second
//   worker meanwhile; if it is added again while processing, it is queued again by done().
// - add_after(key, d) adds the key when `d` has passed on the queue's Clock (the earliest of
//   several pending delays wins); add_rate_limited(key) does so after the rate limiter's
//   delay for that key (per-key exponential backoff by default); forget(key) resets the
//   key's backoff (call it after a success).
// - shutdown(): get() returns nothing from then on (in-flight work finishes; the queued rest
//   is dropped); adds are ignored. The queue is bounded by the number of distinct keys.
// - Metrics (when given a registry): ferrum_workqueue_depth, _adds_total, _retries_total,
//   labelled with the queue's name.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "ferrum/clock.hpp"
#include "ferrum/kube/token_bucket.hpp"
#include "ferrum/metrics.hpp"

namespace ferrum::kube {

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // How long to wait before the key's next attempt (counts as a failure of the key).
  virtual Clock::Duration when(const std::string& key) = 0;
  virtual void forget(const std::string& key) = 0;
  virtual int num_requeues(const std::string& key) = 0;
};

// base * 2^failures, capped at `max` (client-go: 5ms .. 1000s).
class ExponentialRateLimiter final : public RateLimiter {
 public:
  ExponentialRateLimiter(Clock::Duration base = std::chrono::milliseconds(5),
                         Clock::Duration max = std::chrono::seconds(1000));
  Clock::Duration when(const std::string& key) override;
  void forget(const std::string& key) override;
  int num_requeues(const std::string& key) override;

 private:
  Clock::Duration base_, max_;
  std::mutex mu_;
  std::unordered_map<std::string, int> failures_;
};

// An overall rate for all keys together (a token bucket), so a burst of failures cannot turn
// into a burst of retries.
class BucketRateLimiter final : public RateLimiter {
 public:
  BucketRateLimiter(double qps, int burst, Clock& clock) : bucket_(qps, burst, clock) {}
  Clock::Duration when(const std::string&) override { return bucket_.reserve(); }
  void forget(const std::string&) override {}
  int num_requeues(const std::string&) override { return 0; }

 private:
  TokenBucket bucket_;
};

// The longest delay of several limiters.
class MaxOfRateLimiter final : public RateLimiter {
 public:
  explicit MaxOfRateLimiter(std::vector<std::unique_ptr<RateLimiter>> limiters)
      : limiters_(std::move(limiters)) {}
  Clock::Duration when(const std::string& key) override;
  void forget(const std::string& key) override;
  int num_requeues(const std::string& key) override;

 private:
  std::vector<std::unique_ptr<RateLimiter>> limiters_;
};

// client-go's DefaultControllerRateLimiter: max(per-key 5ms..1000s, overall 10 qps / 100 burst).
std::unique_ptr<RateLimiter> default_controller_rate_limiter(Clock& clock);

struct WorkQueueSettings {
  std::string name = "default";
  metrics::Registry* registry = nullptr;  // optional
};

class WorkQueue {
 public:
  WorkQueue(WorkQueueSettings settings, Clock& clock,
            std::unique_ptr<RateLimiter> limiter = nullptr);
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void add(const std::string& key);
  void add_after(const std::string& key, Clock::Duration delay);
  void add_rate_limited(const std::string& key);
  void forget(const std::string& key);
  int num_requeues(const std::string& key);

  // Blocks for the next key; nothing once shut down.
  std::optional<std::string> get();
  void done(const std::string& key);

  void shutdown();
  bool shutting_down() const;
  // Keys ready to be handed out (not those waiting on a delay, not those processing).
  std::size_t len() const;
  // Keys waiting on a delay.
  std::size_t waiting() const;

 private:
  void add_locked(const std::string& key);
  void waker_loop(std::stop_token st);
  void update_depth_locked();

  WorkQueueSettings settings_;
  Clock& clock_;
  std::unique_ptr<RateLimiter> limiter_;

  mutable std::mutex mu_;
  std::condition_variable cv_;        // get()
  std::condition_variable waker_cv_;  // waker: new delayed items / shutdown
  std::deque<std::string> queue_;
  std::unordered_set<std::string> dirty_;
  std::unordered_set<std::string> processing_;
  std::set<std::pair<Clock::MonoTime, std::string>> waiting_by_time_;
  std::unordered_map<std::string, Clock::MonoTime> waiting_;
  std::stop_source waker_sleep_;  // interrupts the waker's current sleep
  bool shutdown_ = false;

  metrics::Gauge* depth_ = nullptr;
  metrics::Counter* adds_ = nullptr;
  metrics::Counter* retries_ = nullptr;

  std::jthread waker_;
};

}  // namespace ferrum::kube
