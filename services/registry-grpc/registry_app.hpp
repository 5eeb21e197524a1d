#pragma once
// ferrum-registry assembled: the Event recorder, the worker pool, ServerRegistry (the API
// server operations) and the api.Agent service, and its gRPC listener on --listen as the one
// part. main() (through daemon_main) builds the API server client and the clock; tests pass
// their own.

#include <string>

#include "agent_service.hpp"
#include "ferrum/daemon.hpp"
#include "ferrum/grpc_server.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/kube/event_recorder.hpp"
#include "ferrum/worker_pool.hpp"
#include "server_registry.hpp"
#include "settings.hpp"

namespace ferrum::registry {

class RegistryApp final : public DaemonApp {
 public:
  // `api_source` says where `kube` points, for the "grpc listening" log line.
  RegistryApp(const Settings& settings, kube::Client& kube, Clock& clock, DaemonRuntime& runtime,
              std::string api_source);
  void add_parts(RunnableGroup& parts) override;

  // The gRPC port (after start).
  int port() const { return grpc_.port(); }

 private:
  kube::EventRecorder events_;
  WorkerPool pool_;
  ServerRegistry servers_;
  AgentService service_;
  GrpcDaemonPart grpc_;
};

}  // namespace ferrum::registry
