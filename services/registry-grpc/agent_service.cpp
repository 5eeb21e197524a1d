#include "agent_service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "ferrum/grpc_code.hpp"

namespace ferrum::registry {

std::string_view status_code_name(grpc::StatusCode c) {
  return grpc_code_name(static_cast<int>(c));
}

AgentService::AgentService(const Settings& settings, ServerRegistry& servers, WorkerPool& pool,
                           metrics::Registry& registry)
    : settings_(settings),
      servers_(servers),
      pool_(pool),
      calls_(registry.counter("registry_calls_total", "Agent API calls by method and status code",
                              {"rpc", "code"})),
      latency_(registry.histogram("registry_call_duration_seconds",
                                  "Agent API call latency (queueing included) by method",
                                  metrics::exponential_buckets(0.001, 2, 15), {"rpc"})) {}

void AgentService::finish(grpc::ServerUnaryReactor* reactor, std::string_view rpc,
                          std::chrono::steady_clock::time_point start, const grpc::Status& status) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  calls_.with({std::string(rpc), std::string(status_code_name(status.error_code()))}).inc();
  latency_.with({std::string(rpc)}).observe(secs);
  reactor->Finish(status);
}

grpc::ServerUnaryReactor* AgentService::dispatch(grpc::CallbackServerContext* ctx,
                                                 std::string_view rpc, Work work) {
  auto* reactor = ctx->DefaultReactor();
  auto start = std::chrono::steady_clock::now();
  auto deadline =
      std::min(ctx->deadline(), std::chrono::system_clock::now() + settings_.call_timeout);
  if (stopping_) {
    finish(reactor, rpc, start,
           grpc::Status(grpc::StatusCode::UNAVAILABLE, "ferrum-registry is stopping"));
    return reactor;
  }
  bool queued =
      pool_.submit([this, reactor, rpc, start, deadline, work = std::move(work)](bool cancelled) {
        if (cancelled) {
          finish(reactor, rpc, start,
                 grpc::Status(grpc::StatusCode::UNAVAILABLE,
                              "ferrum-registry is stopping; nothing was written"));
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
    finish(reactor, rpc, start,
           grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        fmt::format("too many calls waiting (--max-pending-calls={})",
                                    settings_.max_pending_calls)));
  }
  return reactor;
}

grpc::ServerUnaryReactor* AgentService::CreateServer(grpc::CallbackServerContext* ctx,
                                                     const api::CreateServerRequest* req,
                                                     api::CreateServerResponse* resp) {
  return dispatch(ctx, "CreateServer", [this, req, resp](ServerRegistry::Deadline d) {
    return servers_.create_server(*req, d, resp);
  });
}

grpc::ServerUnaryReactor* AgentService::MarkServerAsWiped(grpc::CallbackServerContext* ctx,
                                                          const api::MarkServerAsWipedRequest* req,
                                                          api::MarkServerAsWipedResponse*) {
  return dispatch(ctx, "MarkServerAsWiped", [this, req](ServerRegistry::Deadline d) {
    return servers_.mark_wiped(req->uuid(), d);
  });
}

grpc::ServerUnaryReactor* AgentService::ReconcileServerAddresses(
    grpc::CallbackServerContext* ctx, const api::ReconcileServerAddressesRequest* req,
    api::ReconcileServerAddressesResponse*) {
  return dispatch(ctx, "ReconcileServerAddresses", [this, req](ServerRegistry::Deadline d) {
    return servers_.reconcile_addresses(*req, d);
  });
}

grpc::ServerUnaryReactor* AgentService::Heartbeat(grpc::CallbackServerContext* ctx,
                                                  const api::HeartbeatRequest* req,
                                                  api::HeartbeatResponse*) {
  return dispatch(ctx, "Heartbeat", [this, req](ServerRegistry::Deadline d) {
    return servers_.heartbeat(req->uuid(), d);
  });
}

grpc::ServerUnaryReactor* AgentService::UpdateBMCInfo(grpc::CallbackServerContext* ctx,
                                                      const api::UpdateBMCInfoRequest* req,
                                                      api::UpdateBMCInfoResponse*) {
  return dispatch(ctx, "UpdateBMCInfo", [this, req](ServerRegistry::Deadline d) {
    return servers_.update_bmc_info(*req, d);
  });
}

}  // namespace ferrum::registry
