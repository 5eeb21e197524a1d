#pragma once
// The long-lived parts of a daemon (listeners, informers, controllers, worker pools) and the
// group that starts them in order and stops them in reverse (controller-runtime's Manager
// and its Runnables: pkg/manager/runnable_group.go).
//
// Contract:
//  - start() starts the parts in the order they were added. Each part's start returns once
//    it is started (its work runs on threads of its own) or with an error that names the flag
//    or the cause. On the first error the parts already started are stopped in reverse order
//    at once (deadline: now), so a failed start leaves nothing running, and that error is
//    returned unchanged.
//  - stop(deadline) stops the started parts in reverse order, all sharing one deadline: a
//    part gets what the parts stopped before it left. It runs once; later calls do nothing.
//  - A part that ends on its own (leadership lost, a fatal error) calls request_exit(); the
//    daemon's main loop sees exit_fd() readable and stops the group as it would on SIGTERM.
//  - not_ready() is the /readyz line: empty only between a complete start and stop().

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "ferrum/log.hpp"

namespace ferrum {

class Runnable {
 public:
  using Deadline = std::chrono::steady_clock::time_point;
  virtual ~Runnable() = default;
  // Empty once started; else why not (naming the flag where a flag is the cause).
  virtual std::string start() = 0;
  // Called once, and only after start() succeeded; in-flight work may run until `deadline`.
  virtual void stop(Deadline deadline) = 0;
};

// What a part asked the daemon to exit with.
struct ExitRequest {
  int code = 0;
  std::string reason;
};

class RunnableGroup {
 public:
  using Deadline = Runnable::Deadline;
  using StartFn = std::function<std::string()>;
  using StopFn = std::function<void(Deadline)>;
  using ThreadFn = std::function<void(std::stop_token)>;

  explicit RunnableGroup(log::Logger log);
  // Stops whatever still runs (deadline: now).
  ~RunnableGroup();
  RunnableGroup(const RunnableGroup&) = delete;
  RunnableGroup& operator=(const RunnableGroup&) = delete;

  // A part the caller owns; it must outlive the group's stop().
  void add(std::string name, Runnable& part);
  void add(std::string name, std::unique_ptr<Runnable> part);
  void add(std::string name, StartFn start, StopFn stop);
  // A part that is one thread running `body` until its stop_token is requested (stop()
  // requests it and joins). The body may return early; a body whose end should end the
  // daemon calls request_exit() first.
  void add_thread(std::string name, ThreadFn body);

  std::string start();
  void stop(Deadline deadline);

  void request_exit(int code, std::string reason);
  std::optional<ExitRequest> exit_requested() const;
  // Readable once request_exit() was called (an eventfd; poll it beside the signals).
  int exit_fd() const { return exit_fd_; }

  std::string not_ready() const;
  // The names of the parts in the order they started (for logs and tests).
  std::vector<std::string> started() const;

 private:
  struct Part {
    std::string name;
    Runnable* runnable = nullptr;
    std::unique_ptr<Runnable> owned;
  };
  void stop_started(Deadline deadline);

  log::Logger log_;
  std::vector<Part> parts_;
  mutable std::mutex mu_;
  std::size_t started_ = 0;  // parts_[0, started_) are running
  enum class Phase { kNew, kStarting, kRunning, kStopping, kStopped } phase_ = Phase::kNew;
  std::string starting_;  // the part whose start() runs now
  std::optional<ExitRequest> exit_;
  int exit_fd_ = -1;
};

}  // namespace ferrum
