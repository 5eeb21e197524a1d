#include "ferrum/call_dispatcher.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "ferrum/grpc_code.hpp"

namespace ferrum {

CallDispatcher::CallDispatcher(const CallDispatcherOptions& o, WorkerPool& pool,
                               metrics::Registry& registry)
    : daemon_(o.daemon),
      pool_(pool),
      call_timeout_(o.call_timeout),
      max_pending_(o.max_pending),
      calls_(registry.counter(o.metrics_prefix + "_calls_total",
                              o.calls_noun + " calls by method and status code", {"rpc", "code"})),
      latency_(registry.histogram(o.metrics_prefix + "_call_duration_seconds",
                                  o.calls_noun + " call latency (queueing included) by method",
                                  o.latency_buckets, {"rpc"})) {}

void CallDispatcher::finish(grpc::ServerUnaryReactor* reactor, const char* rpc,
                            std::chrono::steady_clock::time_point start,
                            const grpc::Status& status) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  calls_.with({rpc, std::string(grpc_code_name(static_cast<int>(status.error_code())))}).inc();
  latency_.with({rpc}).observe(secs);
  reactor->Finish(status);
}

grpc::ServerUnaryReactor* CallDispatcher::dispatch(grpc::CallbackServerContext* ctx,
                                                   const char* rpc, Work work) {
  auto* reactor = ctx->DefaultReactor();
  auto start = std::chrono::steady_clock::now();
  auto deadline = std::min(ctx->deadline(), std::chrono::system_clock::now() + call_timeout_);
  if (stopping_) {
    finish(reactor, rpc, start,
           grpc::Status(grpc::StatusCode::UNAVAILABLE, daemon_ + " is stopping"));
    return reactor;
  }
  bool queued =
      pool_.submit([this, reactor, rpc, start, deadline, work = std::move(work)](bool cancelled) {
        if (cancelled) {
          finish(reactor, rpc, start,
                 grpc::Status(grpc::StatusCode::UNAVAILABLE,
                              daemon_ + " is stopping; nothing was written"));
          return;
        }
        if (std::chrono::system_clock::now() >= deadline) {
          finish(reactor, rpc, start,
                 grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                              "deadline passed while waiting for a worker; nothing was written"));
          return;
        }
        finish(reactor, rpc, start, work(deadline));
      });
  if (!queued) {
    finish(
        reactor, rpc, start,
        grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                     fmt::format("too many calls waiting (--max-pending-calls={})", max_pending_)));
  }
  return reactor;
}

}  // namespace ferrum
