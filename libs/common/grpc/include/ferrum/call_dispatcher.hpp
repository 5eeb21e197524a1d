#pragma once
// Runs gRPC unary calls of the callback API on a WorkerPool so reactions never block: each
// call gets a deadline (the caller's, capped at --call-timeout), RESOURCE_EXHAUSTED when
// --max-pending-calls already wait, DEADLINE_EXCEEDED when the deadline passed while it
// waited, UNAVAILABLE once stopping (begin_shutdown(), or the pool cancelling it). In none of
// those cases did the work run. Counts <prefix>_calls_total{rpc,code} and
// <prefix>_call_duration_seconds{rpc} (queueing included).

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "ferrum/metrics.hpp"
#include "ferrum/worker_pool.hpp"

namespace ferrum {

struct CallDispatcherOptions {
  std::string daemon;          // "ferrum-linkd", in UNAVAILABLE messages
  std::string metrics_prefix;  // "linkd_api"
  std::string calls_noun;      // what the calls are in the metrics' help: "gRPC", "Agent API"
  std::vector<double> latency_buckets;
  std::chrono::milliseconds call_timeout{};
  std::size_t max_pending = 0;  // the pool's bound, quoted in RESOURCE_EXHAUSTED messages
};

class CallDispatcher {
 public:
  using Deadline = std::chrono::system_clock::time_point;
  // Runs on a worker thread; its status answers the call.
  using Work = std::function<grpc::Status(Deadline)>;

  CallDispatcher(const CallDispatcherOptions& options, WorkerPool& pool,
                 metrics::Registry& registry);

  // `rpc` is a string literal (the metrics label).
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

}  // namespace ferrum
