#pragma once
// Runs gRPC unary calls of the callback API on a WorkerPool so reactions never block: each
// call gets a deadline (the caller's, capped at --call-timeout), RESOURCE_EXHAUSTED when
// --max-pending-calls already wait, UNAVAILABLE once stopping. Counts
// <prefix>_calls_total{rpc,code} and <prefix>_call_duration_seconds{rpc}.

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "ferrum/metrics.hpp"
#include "ferrum/worker_pool.hpp"

namespace ferrum::linkd {

class CallDispatcher {
 public:
  using Deadline = std::chrono::system_clock::time_point;
  using Work = std::function<grpc::Status(Deadline)>;

  CallDispatcher(std::string daemon, WorkerPool& pool, std::chrono::milliseconds call_timeout,
                 std::size_t max_pending, metrics::Registry& registry, const std::string& prefix);

  grpc::ServerUnaryReactor* dispatch(grpc::CallbackServerContext* ctx, const char* rpc, Work work);
  void begin_shutdown() { stopping_ = true; }

 private:
  void finish(grpc::ServerUnaryReactor* reactor, const char* rpc,
              std::chrono::steady_clock::time_point start, const grpc::Status& status);

  std::string daemon_;
  WorkerPool& pool_;
  std::chrono::milliseconds call_timeout_;
  std::size_t max_pending_;
  metrics::Family<metrics::Counter>& calls_;
  metrics::Family<metrics::Histogram>& latency_;
  std::atomic<bool> stopping_{false};
};

}  // namespace ferrum::linkd
