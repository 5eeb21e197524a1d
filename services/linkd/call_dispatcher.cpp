#include "call_dispatcher.hpp"

#include <fmt/format.h>

#include "ferrum/grpc_code.hpp"

namespace ferrum::linkd {

CallDispatcher::CallDispatcher(std::string daemon, WorkerPool& pool,
                               std::chrono::milliseconds call_timeout, std::size_t max_pending,
                               metrics::Registry& registry, const std::string& prefix)
    : daemon_(std::move(daemon)),
      pool_(pool),
      call_timeout_(call_timeout),
      max_pending_(max_pending),
      calls_(registry.counter(prefix + "_calls_total", "gRPC calls by method and status code",
                              {"rpc", "code"})),
      latency_(registry.histogram(prefix + "_call_duration_seconds",
                                  "gRPC call latency (queueing included) by method",
                                  metrics::exponential_buckets(0.0005, 2, 16), {"rpc"})) {}

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

}  // namespace ferrum::linkd
