#pragma once
// The api.Agent gRPC service (proto/agent.proto) on the callback API.
//
// Reactions never block: each call is handed (CallDispatcher) to the WorkerPool, whose thread
// does the API server work (ServerRegistry) and finishes the reactor. Every call gets a deadline:
// the agent's, capped at --call-timeout. When --max-pending-calls calls already wait the call fails
// at once with RESOURCE_EXHAUSTED; after begin_shutdown() with UNAVAILABLE. Metrics:
// registry_calls_total{rpc,code}, registry_call_duration_seconds{rpc}.

#include <grpcpp/grpcpp.h>

#include "agent.grpc.pb.h"
#include "ferrum/call_dispatcher.hpp"
#include "ferrum/metrics.hpp"
#include "ferrum/worker_pool.hpp"
#include "server_registry.hpp"
#include "settings.hpp"

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

  void begin_shutdown() { calls_.begin_shutdown(); }

 private:
  ServerRegistry& servers_;
  CallDispatcher calls_;
};

}  // namespace ferrum::registry
