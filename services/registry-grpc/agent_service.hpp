#pragma once
// The api.Agent gRPC service (proto/agent.proto) on the callback API.
//
// Reactions never block: each call is handed to the WorkerPool, whose thread does the API
// server work (ServerRegistry) and finishes the reactor. Every call gets a deadline: the
// agent's, capped at --call-timeout. When --max-pending-calls calls already wait the call
// fails at once with RESOURCE_EXHAUSTED; after begin_shutdown() with UNAVAILABLE.
// Metrics: registry_calls_total{rpc,code}, registry_call_duration_seconds{rpc}.

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string_view>

#include "agent.grpc.pb.h"
#include "ferrum/metrics.hpp"
#include "server_registry.hpp"
#include "settings.hpp"
#include "ferrum/worker_pool.hpp"

namespace ferrum::registry {

class AgentService final : public api::Agent::CallbackService {
 public:
  AgentService(const Settings& settings, ServerRegistry& servers, WorkerPool& pool,
               metrics::Registry& registry);

  grpc::ServerUnaryReactor* CreateServer(grpc::CallbackServerContext* ctx,
                                         const api::CreateServerRequest* req,
                                         api::CreateServerResponse* resp) override;
  grpc::ServerUnaryReactor* MarkServerAsWiped(grpc::CallbackServerContext* ctx,
                                              const api::MarkServerAsWipedRequest* req,
                                              api::MarkServerAsWipedResponse* resp) override;
  grpc::ServerUnaryReactor* ReconcileServerAddresses(
      grpc::CallbackServerContext* ctx, const api::ReconcileServerAddressesRequest* req,
      api::ReconcileServerAddressesResponse* resp) override;
  grpc::ServerUnaryReactor* Heartbeat(grpc::CallbackServerContext* ctx,
                                      const api::HeartbeatRequest* req,
                                      api::HeartbeatResponse* resp) override;
  grpc::ServerUnaryReactor* UpdateBMCInfo(grpc::CallbackServerContext* ctx,
                                          const api::UpdateBMCInfoRequest* req,
                                          api::UpdateBMCInfoResponse* resp) override;

  void begin_shutdown() { stopping_ = true; }

 private:
  using Work = std::function<grpc::Status(ServerRegistry::Deadline)>;
  grpc::ServerUnaryReactor* dispatch(grpc::CallbackServerContext* ctx, std::string_view rpc,
                                     Work work);
  void finish(grpc::ServerUnaryReactor* reactor, std::string_view rpc,
              std::chrono::steady_clock::time_point start, const grpc::Status& status);

  Settings settings_;
  ServerRegistry& servers_;
  WorkerPool& pool_;
  metrics::Family<metrics::Counter>& calls_;
  metrics::Family<metrics::Histogram>& latency_;
  std::atomic<bool> stopping_{false};
};

// "NOT_FOUND" for grpc::StatusCode::NOT_FOUND (the names of grpc's status codes).
std::string_view status_code_name(grpc::StatusCode c);

}  // namespace ferrum::registry
