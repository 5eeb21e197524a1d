#include "ferrum/worker_pool.hpp"

namespace ferrum {

WorkerPool::WorkerPool(std::size_t workers, std::size_t max_pending) : max_pending_(max_pending) {
  threads_.reserve(workers);
  for (std::size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
}

WorkerPool::~WorkerPool() { stop(); }

bool WorkerPool::submit(Job job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || pending_ >= max_pending_) return false;
    ready_.push_back({std::string(), std::move(job)});
    ++pending_;
  }
  cv_.notify_one();
  return true;
}

bool WorkerPool::submit(const std::string& key, Job job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || pending_ >= max_pending_) return false;
    auto [it, idle] = keyed_.try_emplace(key);
    it->second.push_back(std::move(job));
    ++pending_;
    if (!idle) return true;  // runs after the jobs before it with this key
    ready_.push_back({key, nullptr});
  }
  cv_.notify_one();
  return true;
}

void WorkerPool::stop() {
  std::vector<Job> cancelled;
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    for (auto& r : ready_) {
      if (r.job) {
        cancelled.push_back(std::move(r.job));
        continue;
      }
      auto it = keyed_.find(r.key);  // a key with waiting jobs and none running
      for (auto& job : it->second) cancelled.push_back(std::move(job));
      keyed_.erase(it);
    }
    ready_.clear();
    // Keys with a running job keep their (emptied) entry: their thread erases it.
    for (auto& [key, waiting] : keyed_) {
      for (auto& job : waiting) cancelled.push_back(std::move(job));
      waiting.clear();
    }
    pending_ = 0;
  }
  cv_.notify_all();
  for (auto& job : cancelled) job(true);
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  std::lock_guard lock(mu_);
  threads_.clear();
}

std::size_t WorkerPool::pending() const {
  std::lock_guard lock(mu_);
  return pending_;
}

std::size_t WorkerPool::running() const {
  std::lock_guard lock(mu_);
  return running_;
}

bool WorkerPool::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

void WorkerPool::work() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
    if (ready_.empty()) return;  // stopping and nothing left
    Ready next = std::move(ready_.front());
    ready_.pop_front();
    const bool keyed = !next.job;
    if (keyed) {
      auto& waiting = keyed_.at(next.key);
      next.job = std::move(waiting.front());
      waiting.pop_front();
    }
    --pending_;
    ++running_;
    lock.unlock();
    next.job(false);
    next.job = nullptr;  // release captures before taking the lock again
    lock.lock();
    --running_;
    if (keyed) {
      auto it = keyed_.find(next.key);
      if (it->second.empty()) {
        keyed_.erase(it);
      } else {
        ready_.push_back({std::move(next.key), nullptr});
        cv_.notify_one();
      }
    }
  }
}

}  // namespace ferrum
