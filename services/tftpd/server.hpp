#pragma once
// The TFTP server: UDP sockets, transfers and their timers on epoll event loop threads
// (--threads; each loop binds every listen address with SO_REUSEPORT and owns the transfers
// of the clients the kernel steers to it; the file cache is shared).
//
// Contract:
// - start() opens --root, binds every --listen address (port 0 picks a free port) and starts
//   the loop thread; the error names the flag and the reason. It returns the bound addresses.
// - Read requests are answered from the FileCache; each transfer runs the Transfer state
//   machine, on its own connected ephemeral socket (classic) or on the listen socket
//   (--single-port, transfers told apart by client address and port).
// - Bounds: at most max_transfers at once (then error 0 "server busy"); per transfer a fixed
//   record (no buffered window: blocks are re-read from the cache or the file on resend);
//   a silent client is dropped after its retries; one receive buffer and one send scratch
//   buffer are shared by all transfers. Per client address (SourceLimiter, shared by the loops):
//   a request rate, concurrent transfers and retransmissions while it has not ACKed anything;
//   requests over the rate are dropped unanswered, over the transfer count answered with
//   error 0, and a transfer over the retransmission budget is dropped.
// - stop(drain): stops taking requests, lets running transfers finish for up to `drain`,
//   then ends the rest with error 0 and joins the loop thread. Safe to call from any thread.
// - Metrics (ferrum_tftp_*) go to the registry; one log line per transfer or refused request
//   (requests dropped by the per-source rate are only counted: ferrum_tftp_source_limited_total).

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ferrum/clock.hpp"
#include "ferrum/expected.hpp"
#include "ferrum/log.hpp"
#include "ferrum/metrics.hpp"
#include "settings.hpp"
#include "source_limiter.hpp"

namespace ferrum::tftp {

class FileCache;

class Server {
 public:
  // `clock` times the per-source limits (the transfers' own timers use the steady clock).
  Server(Settings settings, metrics::Registry& registry, log::Logger log,
         const Clock& clock = real_clock());
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  Expected<std::vector<std::string>, std::string> start();
  void stop(std::chrono::milliseconds drain);

  // True between a successful start() and stop().
  bool serving() const;
  std::size_t active_transfers() const;

 private:
  class Loop;
  Settings settings_;
  metrics::Registry& registry_;
  log::Logger log_;
  std::unique_ptr<FileCache> cache_;
  SourceLimiter limiter_;
  std::atomic<std::size_t> total_active_{0};
  std::vector<std::unique_ptr<Loop>> loops_;
  std::vector<std::thread> threads_;
};

}  // namespace ferrum::tftp
