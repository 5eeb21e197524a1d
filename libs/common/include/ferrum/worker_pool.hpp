#pragma once
// A fixed set of threads running queued jobs, with a bounded queue: the callback gRPC
// reactions hand their blocking API server work here and return at once.
// Shared by the gRPC daemons (ferrum-registry, ferrum-linkd). (ferrum-bmcd's BmcExecutor adds
// per-key serialization on top of the same idea.)
//
// submit() refuses a job when `max_pending` jobs already wait or the pool is stopping, so
// the caller answers RESOURCE_EXHAUSTED / UNAVAILABLE instead of queueing without bound.
// stop(): running jobs finish; every waiting job is invoked with cancelled=true on the
// stopping thread, so each call still gets its answer.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ferrum {

class WorkerPool {
 public:
  using Job = std::function<void(bool cancelled)>;

  WorkerPool(std::size_t workers, std::size_t max_pending);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  bool submit(Job job);
  void stop();
  std::size_t pending() const;
  std::size_t running() const;

 private:
  void work();

  const std::size_t max_pending_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::size_t running_ = 0;
  std::deque<Job> queue_;
  std::vector<std::thread> threads_;
};

}  // namespace ferrum
