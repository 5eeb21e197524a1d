#include "bmc_executor.hpp"

namespace ferrum::bmcd {

BmcExecutor::BmcExecutor(std::size_t workers, std::size_t max_pending) : max_pending_(max_pending) {
  threads_.reserve(workers);
  for (std::size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
}

BmcExecutor::~BmcExecutor() { stop(); }

bool BmcExecutor::submit(const std::string& key, Job job) {
  std::lock_guard lock(mu_);
  if (stopping_ || pending_ >= max_pending_) return false;
  auto& q = queues_[key];
  bool was_idle = q.empty() && !busy_.contains(key);
  q.push_back(std::move(job));
  ++pending_;
  if (was_idle) {
    ready_.push_back(key);
    cv_.notify_one();
  }
  return true;
}

void BmcExecutor::work() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
    if (stopping_) return;
    std::string key = std::move(ready_.front());
    ready_.pop_front();
    auto& q = queues_[key];
    Job job = std::move(q.front());
    q.pop_front();
    --pending_;
    busy_.insert(key);
    lock.unlock();
    job(false);
    job = nullptr;  // release captures before taking the lock again
    lock.lock();
    busy_.erase(key);
    auto it = queues_.find(key);
    if (it->second.empty()) {
      queues_.erase(it);
    } else {
      ready_.push_back(key);
      cv_.notify_one();
    }
  }
}

void BmcExecutor::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
  std::unordered_map<std::string, std::deque<Job>> left;
  {
    std::lock_guard lock(mu_);
    left.swap(queues_);
    ready_.clear();
    pending_ = 0;
  }
  for (auto& [key, q] : left) {
    for (auto& job : q) job(true);
  }
}

bool BmcExecutor::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

std::size_t BmcExecutor::pending() const {
  std::lock_guard lock(mu_);
  return pending_;
}

}  // namespace ferrum::bmcd
