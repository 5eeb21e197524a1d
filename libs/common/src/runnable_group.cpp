#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <stdexcept>

#include "ferrum/runnable.hpp"

namespace ferrum {

namespace {

class FunctionPart final : public Runnable {
 public:
  FunctionPart(RunnableGroup::StartFn start, RunnableGroup::StopFn stop)
      : start_(std::move(start)), stop_(std::move(stop)) {}
  std::string start() override { return start_ ? start_() : std::string(); }
  void stop(Deadline deadline) override {
    if (stop_) stop_(deadline);
  }

 private:
  RunnableGroup::StartFn start_;
  RunnableGroup::StopFn stop_;
};

class ThreadPart final : public Runnable {
 public:
  explicit ThreadPart(RunnableGroup::ThreadFn body) : body_(std::move(body)) {}
  std::string start() override {
    thread_ = std::jthread(body_);
    return {};
  }
  // The body owns its own bound on stopping (every wait in it takes the stop_token).
  void stop(Deadline) override {
    thread_.request_stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  RunnableGroup::ThreadFn body_;
  std::jthread thread_;
};

}  // namespace

RunnableGroup::RunnableGroup(log::Logger log) : log_(std::move(log)) {
  exit_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (exit_fd_ < 0) throw std::runtime_error("eventfd failed");
}

RunnableGroup::~RunnableGroup() {
  stop(std::chrono::steady_clock::now());
  ::close(exit_fd_);
}

void RunnableGroup::add(std::string name, Runnable& part) {
  parts_.push_back(Part{std::move(name), &part, nullptr});
}

void RunnableGroup::add(std::string name, std::unique_ptr<Runnable> part) {
  Runnable* raw = part.get();
  parts_.push_back(Part{std::move(name), raw, std::move(part)});
}

void RunnableGroup::add(std::string name, StartFn start, StopFn stop) {
  add(std::move(name), std::make_unique<FunctionPart>(std::move(start), std::move(stop)));
}

void RunnableGroup::add_thread(std::string name, ThreadFn body) {
  add(std::move(name), std::make_unique<ThreadPart>(std::move(body)));
}

std::string RunnableGroup::start() {
  {
    std::lock_guard lock(mu_);
    if (phase_ != Phase::kNew) return "already started";
    phase_ = Phase::kStarting;
  }
  for (auto& part : parts_) {
    {
      std::lock_guard lock(mu_);
      starting_ = part.name;
    }
    log_.debug("starting part", {{"part", part.name}});
    std::string error;
    try {
      error = part.runnable->start();
    } catch (const std::exception& e) {
      error = part.name + ": " + e.what();
    }
    if (!error.empty()) {
      // Undo: a half-started daemon must not keep ports, interfaces or threads.
      log_.debug("part failed to start; stopping the ones started", {{"part", part.name}});
      stop_started(std::chrono::steady_clock::now());
      std::lock_guard lock(mu_);
      phase_ = Phase::kStopped;
      return error;
    }
    std::lock_guard lock(mu_);
    ++started_;
  }
  std::lock_guard lock(mu_);
  starting_.clear();
  phase_ = Phase::kRunning;
  return {};
}

void RunnableGroup::stop(Deadline deadline) {
  {
    std::lock_guard lock(mu_);
    if (phase_ != Phase::kRunning && phase_ != Phase::kNew) return;
    phase_ = Phase::kStopping;
  }
  stop_started(deadline);
  std::lock_guard lock(mu_);
  phase_ = Phase::kStopped;
}

void RunnableGroup::stop_started(Deadline deadline) {
  for (;;) {
    Part* part = nullptr;
    {
      std::lock_guard lock(mu_);
      if (started_ == 0) return;
      part = &parts_[--started_];
    }
    log_.debug("stopping part", {{"part", part->name}});
    part->runnable->stop(deadline);
  }
}

void RunnableGroup::request_exit(int code, std::string reason) {
  {
    std::lock_guard lock(mu_);
    if (exit_) return;  // the first reason is the one reported
    exit_ = ExitRequest{code, std::move(reason)};
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(exit_fd_, &one, sizeof one);
}

std::optional<ExitRequest> RunnableGroup::exit_requested() const {
  std::lock_guard lock(mu_);
  return exit_;
}

std::string RunnableGroup::not_ready() const {
  std::lock_guard lock(mu_);
  switch (phase_) {
    case Phase::kNew:
      return "not started";
    case Phase::kStarting:
      return "starting: " + starting_;
    case Phase::kRunning:
      return {};
    case Phase::kStopping:
    case Phase::kStopped:
      return "stopping";
  }
  return "stopping";
}

std::vector<std::string> RunnableGroup::started() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < started_; ++i) out.push_back(parts_[i].name);
  return out;
}

}  // namespace ferrum
