#pragma once
// ferrum-bmcd assembled: libfreeipmi behind Ipmi, the idle-session pool, the per-BMC worker
// pool, the Power service, and its gRPC listener on --listen as the one part. main() (through
// daemon_main) builds the API server client and the clock; tests pass their own.

#include <string>

#include "ferrum/daemon.hpp"
#include "ferrum/grpc_server.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/worker_pool.hpp"
#include "freeipmi_client.hpp"
#include "power_service.hpp"
#include "session_pool.hpp"
#include "settings.hpp"

namespace ferrum::bmcd {

class BmcdApp final : public DaemonApp {
 public:
  // `api_source` says where `kube` points, for the "grpc listening" log line.
  BmcdApp(const Settings& settings, kube::Client& kube, Clock& clock, DaemonRuntime& runtime,
          std::string api_source);
  void add_parts(RunnableGroup& parts) override;

  // The gRPC port (after start).
  int port() const { return grpc_.port(); }

 private:
  FreeIpmi ipmi_;
  SessionPool sessions_;
  WorkerPool executor_;
  PowerService service_;
  GrpcDaemonPart grpc_;
};

}  // namespace ferrum::bmcd
