#pragma once
// A fixed set of threads running queued jobs, with a bounded queue: the callback gRPC
// reactions hand their blocking work here and return at once. Shared by the gRPC daemons
// (ferrum-registry, ferrum-linkd, ferrum-bmcd).
//
// submit(job): the job runs on the next free thread. submit(key, job): jobs with the same key
// run one at a time in arrival order (ferrum-bmcd: one operation at a time per BMC), jobs with
// different keys in parallel.
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
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace ferrum {

class WorkerPool {
 public:
  using Job = std::function<void(bool cancelled)>;

  WorkerPool(std::size_t workers, std::size_t max_pending);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False when the queue is full or the pool is stopping (the job is not run).
  bool submit(Job job);
  bool submit(const std::string& key, Job job);
  void stop();
  std::size_t pending() const;
  std::size_t running() const;
  bool stopping() const;

 private:
  // What a free thread takes next: an unkeyed job, or (job empty) the front job of `key`.
  struct Ready {
    std::string key;
    Job job;
  };

  void work();

  const std::size_t max_pending_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::size_t pending_ = 0;
  std::size_t running_ = 0;
  std::deque<Ready> ready_;
  // Keys with a job running or waiting; the deque holds the waiting ones. A key is in ready_
  // exactly when it has waiting jobs and none running.
  std::unordered_map<std::string, std::deque<Job>> keyed_;
  std::vector<std::thread> threads_;
};

}  // namespace ferrum
