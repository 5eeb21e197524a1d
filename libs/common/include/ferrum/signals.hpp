#pragma once
// Termination signals (SIGTERM, SIGINT) delivered synchronously to one waiting thread.
//
// Contract: construct TerminationSignals first thing in main, before any thread starts:
// it blocks those signals so every thread created afterwards inherits the mask, and only
// wait()/wait_for() receive them. Destruction restores the previous mask.

#include <chrono>
#include <csignal>
#include <optional>

namespace ferrum {

class TerminationSignals {
 public:
  TerminationSignals();
  ~TerminationSignals();
  TerminationSignals(const TerminationSignals&) = delete;
  TerminationSignals& operator=(const TerminationSignals&) = delete;

  // Blocks until SIGTERM or SIGINT arrives; returns the signal number.
  int wait();
  // Returns the signal, or nothing when `timeout` passed first.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);
  // Blocks until a signal arrives (returns it) or `fd` turns readable (returns nothing): a
  // daemon waits for SIGTERM or for one of its parts asking to exit (RunnableGroup::exit_fd).
  std::optional<int> wait_or_readable(int fd);

 private:
  sigset_t set_{};
  sigset_t previous_{};
};

}  // namespace ferrum
