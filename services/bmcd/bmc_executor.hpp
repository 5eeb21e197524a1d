#pragma once
// Runs blocking BMC work off the gRPC threads: jobs with the same key (one BMC) run one at a
// time in arrival order; jobs with different keys run in parallel on at most `workers`
// threads; at most `max_pending` jobs wait (submit() refuses more, so the caller can answer
// RESOURCE_EXHAUSTED instead of queueing without bound).
//
// stop(): running jobs finish; every job still waiting is invoked with cancelled=true on the
// stopping thread, so each gRPC call still gets its answer.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ferrum::bmcd {

class BmcExecutor {
 public:
  using Job = std::function<void(bool cancelled)>;

  BmcExecutor(std::size_t workers, std::size_t max_pending);
  ~BmcExecutor();
  BmcExecutor(const BmcExecutor&) = delete;
  BmcExecutor& operator=(const BmcExecutor&) = delete;

  // False when the queue is full or the executor is stopping (the job is not run).
  bool submit(const std::string& key, Job job);
  void stop();
  std::size_t pending() const;
  bool stopping() const;

 private:
  void work();

  const std::size_t max_pending_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::size_t pending_ = 0;
  std::unordered_map<std::string, std::deque<Job>> queues_;
  std::deque<std::string> ready_;         // keys with queued jobs and none running
  std::unordered_set<std::string> busy_;  // keys with a running job
  std::vector<std::thread> threads_;
};

}  // namespace ferrum::bmcd
