#pragma once
// The API server side of the agent calls: reads and writes of Servers and BMC Secrets,
// blocking, run on WorkerPool threads by AgentService.
//
// Contract (DESIGN.md 2 "who writes what", 5):
// - Every write carries the resourceVersion of the read it is based on; a 409 is redone
//   from a fresh read up to --conflict-retries times (then ABORTED), never forced.
// - Status fields (isClean, conditions, addresses) go through the status subresource.
// - Failures come back as a grpc::Status: NOT_FOUND for an unknown Server, INVALID_ARGUMENT
//   naming the bad field (inventory bounds: inventory_limits.hpp), UNAVAILABLE when the API server
//   cannot be reached (the agent retries), DEADLINE_EXCEEDED when the call's deadline passed
//   between attempts.

#include <grpcpp/support/status.h>

#include <chrono>
#include <functional>
#include <string>

#include "agent.pb.h"
#include "ferrum/clock.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/kube/event_recorder.hpp"
#include "ferrum/log.hpp"
#include "ferrum/metrics.hpp"
#include "ferrum/model/server.hpp"
#include "inventory_limits.hpp"
#include "registry_logic.hpp"
#include "settings.hpp"

namespace ferrum::registry {

class ServerRegistry {
 public:
  using Deadline = std::chrono::system_clock::time_point;

  ServerRegistry(const Settings& settings, kube::Client& kube, kube::EventRecorder& events,
                 metrics::Registry& registry, Clock& clock, log::Logger log);

  grpc::Status create_server(const api::CreateServerRequest& req, Deadline deadline,
                             api::CreateServerResponse* resp);
  grpc::Status mark_wiped(const std::string& uuid, Deadline deadline);
  grpc::Status heartbeat(const std::string& uuid, Deadline deadline);
  grpc::Status reconcile_addresses(const api::ReconcileServerAddressesRequest& req,
                                   Deadline deadline);
  grpc::Status update_bmc_info(const api::UpdateBMCInfoRequest& req, Deadline deadline);

 private:
  // Reads the Server, lets `change` edit it (false: nothing to write) and writes it back
  // (status subresource when `status`), redoing all of it on 409.
  grpc::Status modify_server(const std::string& name, Deadline deadline, bool status,
                             const std::function<bool(model::Server&)>& change,
                             model::Server* written = nullptr);
  grpc::Status upsert_bmc_secret(const model::Server& server, const api::BMCInfo& info,
                                 Deadline deadline);
  grpc::Status from_kube(const kube::Error& e, const std::string& what, Deadline deadline) const;
  model::Timestamp now() const;

  Settings settings_;
  AnswerPolicy policy_;
  kube::Client& kube_;
  kube::EventRecorder& events_;
  Clock& clock_;
  log::Logger log_;
  metrics::Counter& conflicts_;
  metrics::Family<metrics::Counter>& registrations_;
};

}  // namespace ferrum::registry
