#pragma once
// The ferrum.power.v1.Power gRPC service (proto/power.proto) on the callback API.
//
// Reactions never block: a call is checked, then its work runs on the WorkerPool in two
// jobs: (1) read the Server and its credential Secrets from the API server (a get per call,
// so a fixed password or a moved BMC counts on the very next call, and no Secret is cached),
// keyed by Server name; (2) talk to the BMC, keyed by the BMC, which serializes calls to one
// BMC. The reactor is finished from the worker. Errors map as power.proto documents, plus
// UNAUTHENTICATED for credentials the BMC rejects and RESOURCE_EXHAUSTED when
// --max-pending-calls calls are already waiting.

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "bmc_target.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/log.hpp"
#include "ferrum/metrics.hpp"
#include "ferrum/worker_pool.hpp"
#include "ipmi.hpp"
#include "power.grpc.pb.h"
#include "power_ops.hpp"
#include "session_pool.hpp"
#include "settings.hpp"

namespace ferrum::bmcd {

namespace pb = ::ferrum::power::v1;

class PowerService final : public pb::Power::CallbackService {
 public:
  PowerService(const Settings& settings, kube::Reader& kube, Ipmi& ipmi, SessionPool& sessions,
               WorkerPool& executor, metrics::Registry& registry, log::Logger log);

  grpc::ServerUnaryReactor* PowerOn(grpc::CallbackServerContext* ctx, const pb::PowerOnRequest* req,
                                    pb::PowerOnResponse* resp) override;
  grpc::ServerUnaryReactor* PowerOff(grpc::CallbackServerContext* ctx,
                                     const pb::PowerOffRequest* req,
                                     pb::PowerOffResponse* resp) override;
  grpc::ServerUnaryReactor* PowerCycle(grpc::CallbackServerContext* ctx,
                                       const pb::PowerCycleRequest* req,
                                       pb::PowerCycleResponse* resp) override;
  grpc::ServerUnaryReactor* PowerState(grpc::CallbackServerContext* ctx,
                                       const pb::PowerStateRequest* req,
                                       pb::PowerStateResponse* resp) override;
  grpc::ServerUnaryReactor* SetBootDevice(grpc::CallbackServerContext* ctx,
                                          const pb::SetBootDeviceRequest* req,
                                          pb::SetBootDeviceResponse* resp) override;

  // Backoff waits end early from here on (shutdown).
  void begin_shutdown() { stopping_ = true; }

 private:
  using Fill = std::function<void(const OpResult&)>;
  using Deadline = std::chrono::system_clock::time_point;

  grpc::ServerUnaryReactor* dispatch(grpc::CallbackServerContext* ctx, const std::string& server,
                                     OpRequest req, Fill fill);
  void resolve_and_queue(grpc::ServerUnaryReactor* reactor, Deadline deadline,
                         const std::string& server, OpRequest req, Fill fill);
  void run(grpc::ServerUnaryReactor* reactor, Deadline deadline, const std::string& server,
           const BmcTarget& target, OpRequest req, const Fill& fill,
           std::chrono::steady_clock::time_point start);
  Expected<BmcTarget, TargetError> resolve(const std::string& server);
  void finish(grpc::ServerUnaryReactor* reactor, std::string_view backend, Op op,
              std::chrono::steady_clock::time_point start, grpc::Status status);

  Settings settings_;
  kube::Reader& kube_;
  Ipmi& ipmi_;
  SessionPool& sessions_;
  WorkerPool& executor_;
  metrics::Registry& registry_;
  metrics::Family<metrics::Counter>& ops_;
  metrics::Family<metrics::Histogram>& latency_;
  log::Logger log_;
  std::atomic<bool> stopping_{false};
};

}  // namespace ferrum::bmcd
