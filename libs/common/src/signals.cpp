#include "ferrum/signals.hpp"

#include <poll.h>
#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

namespace ferrum {

TerminationSignals::TerminationSignals() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set_, &previous_);
}

TerminationSignals::~TerminationSignals() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

int TerminationSignals::wait() {
  for (;;) {
    int sig = 0;
    if (sigwait(&set_, &sig) == 0) return sig;
  }
}

std::optional<int> TerminationSignals::wait_for(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) left = std::chrono::nanoseconds(0);
    timespec ts{static_cast<time_t>(left.count() / 1'000'000'000),
                static_cast<long>(left.count() % 1'000'000'000)};
    int sig = sigtimedwait(&set_, nullptr, &ts);
    if (sig > 0) return sig;
    if (errno == EAGAIN) return std::nullopt;
    // EINTR: another signal interrupted the wait; keep waiting until the deadline.
  }
}

std::optional<int> TerminationSignals::wait_or_readable(int fd) {
  // The signals are blocked (constructor), so a signalfd receives them instead.
  int sfd = ::signalfd(-1, &set_, SFD_CLOEXEC);
  if (sfd < 0) return wait();
  std::optional<int> out;
  for (;;) {
    pollfd fds[2] = {{sfd, POLLIN, 0}, {fd, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;  // EINTR
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info{};
      if (::read(sfd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        out = static_cast<int>(info.ssi_signo);
        break;
      }
    }
    if (fds[1].revents & (POLLIN | POLLERR | POLLHUP)) break;
  }
  ::close(sfd);
  return out;
}

}  // namespace ferrum
