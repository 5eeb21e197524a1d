#include "agent_service.hpp"

namespace ferrum::registry {

AgentService::AgentService(const Settings& settings, ServerRegistry& servers, WorkerPool& pool,
                           metrics::Registry& registry)
    : servers_(servers),
      calls_(
          {"ferrum-registry", "registry", "Agent API", metrics::exponential_buckets(0.001, 2, 15),
           settings.call_timeout, static_cast<std::size_t>(settings.max_pending_calls)},
          pool, registry) {}

grpc::ServerUnaryReactor* AgentService::CreateServer(grpc::CallbackServerContext* ctx,
                                                     const api::CreateServerRequest* req,
                                                     api::CreateServerResponse* resp) {
  return calls_.dispatch(ctx, "CreateServer", [this, req, resp](ServerRegistry::Deadline d) {
    return servers_.create_server(*req, d, resp);
  });
}

grpc::ServerUnaryReactor* AgentService::MarkServerAsWiped(grpc::CallbackServerContext* ctx,
                                                          const api::MarkServerAsWipedRequest* req,
                                                          api::MarkServerAsWipedResponse*) {
  return calls_.dispatch(ctx, "MarkServerAsWiped", [this, req](ServerRegistry::Deadline d) {
    return servers_.mark_wiped(req->uuid(), d);
  });
}

grpc::ServerUnaryReactor* AgentService::ReconcileServerAddresses(
    grpc::CallbackServerContext* ctx, const api::ReconcileServerAddressesRequest* req,
    api::ReconcileServerAddressesResponse*) {
  return calls_.dispatch(ctx, "ReconcileServerAddresses", [this, req](ServerRegistry::Deadline d) {
    return servers_.reconcile_addresses(*req, d);
  });
}

grpc::ServerUnaryReactor* AgentService::Heartbeat(grpc::CallbackServerContext* ctx,
                                                  const api::HeartbeatRequest* req,
                                                  api::HeartbeatResponse*) {
  return calls_.dispatch(ctx, "Heartbeat", [this, req](ServerRegistry::Deadline d) {
    return servers_.heartbeat(req->uuid(), d);
  });
}

grpc::ServerUnaryReactor* AgentService::UpdateBMCInfo(grpc::CallbackServerContext* ctx,
                                                      const api::UpdateBMCInfoRequest* req,
                                                      api::UpdateBMCInfoResponse*) {
  return calls_.dispatch(ctx, "UpdateBMCInfo", [this, req](ServerRegistry::Deadline d) {
    return servers_.update_bmc_info(*req, d);
  });
}

}  // namespace ferrum::registry
