// ferrum-registry: wiring only (see agent_service.hpp and server_registry.hpp).
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <cstdio>
#include <thread>

#include "agent_service.hpp"
#include "ferrum/daemon.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/kube/config.hpp"
#include "ferrum/kube/event_recorder.hpp"
#include "ferrum/signals.hpp"
#include "server_registry.hpp"
#include "settings.hpp"
#include "ferrum/worker_pool.hpp"

int main(int argc, char** argv) {
  ferrum::TerminationSignals signals;  // before any thread starts
  ferrum::registry::Settings settings;
  ferrum::DaemonCommon common;
  ferrum::flags::FlagSet flags(
      "ferrum-registry",
      "Agent registration API (gRPC service api.Agent, wire-compatible with Sidero's): creates "
      "Servers from the inventory agents report, tells accepted ones to wipe and set up their "
      "BMC, records wipes, heartbeats, addresses and BMC credentials (in <uuid>-bmc Secrets).");
  ferrum::registry::add_flags(flags, settings);
  common.add_flags(flags, "0.0.0.0:9421");
  if (int rc = ferrum::handle_parse(flags.parse(argc, argv, ferrum::flags::process_env()));
      rc >= 0) {
    return rc;
  }
  if (auto err = ferrum::registry::validate(settings); !err.empty()) {
    std::fprintf(stderr, "ferrum-registry: %s\n", err.c_str());
    return 2;
  }
  auto kube_config =
      ferrum::kube::resolve_config(settings.kubeconfig, ferrum::kube::process_env_lookup());
  if (!kube_config) {
    std::fprintf(stderr, "ferrum-registry: --kubeconfig: %s\n", kube_config.error().c_str());
    return 2;
  }
  kube_config->timeout = settings.kube_timeout;
  kube_config->qps = static_cast<double>(settings.kube_qps);
  kube_config->burst = static_cast<int>(settings.kube_burst);
  ferrum::DaemonRuntime runtime("registry", common);
  auto log = runtime.logger("registry");
  ferrum::kube::RestClient kube(*kube_config);
  ferrum::kube::EventRecorder events({"ferrum-registry", "", 1000, 4096, &runtime.registry()}, kube,
                                     ferrum::real_clock(), log.child("events"));
  ferrum::WorkerPool pool(static_cast<std::size_t>(settings.workers),
                                    static_cast<std::size_t>(settings.max_pending_calls));
  runtime.registry().gauge_callback("registry_pending_calls", "Calls waiting for a worker",
                                    [&pool] { return static_cast<double>(pool.pending()); });
  ferrum::registry::ServerRegistry servers(settings, kube, events, runtime.registry(),
                                           ferrum::real_clock(), log.child("servers"));
  ferrum::registry::AgentService service(settings, servers, pool, runtime.registry());

  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(settings.listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  builder.SetMaxReceiveMessageSize(static_cast<int>(settings.max_message_bytes));
  builder.SetMaxSendMessageSize(64 * 1024);  // answers are a few booleans
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    log.error("start failed", {{"error", "--listen: cannot listen on " + settings.listen}});
    pool.stop();
    return 1;
  }
  log.info("grpc listening",
           {{"listen", settings.listen}, {"port", port}, {"api", kube_config->source}});
  runtime.admin().add_readiness_check("grpc", [] { return std::string(); });
  if (auto admin = runtime.start_admin(); !admin) {
    log.error("start failed", {{"error", "--admin-listen: " + admin.error()}});
    server->Shutdown(std::chrono::system_clock::now());
    pool.stop();
    return 1;
  }
  int sig = signals.wait();
  log.info("signal received", {{"signal", sig}, {"pending_calls", pool.pending()}});
  // Refuse new calls, let running ones finish within the shutdown timeout, answer the
  // waiting ones UNAVAILABLE (nothing written for them), then flush queued Events.
  service.begin_shutdown();
  if (auto* health = server->GetHealthCheckService()) health->Shutdown();
  std::thread stopper([&pool] { pool.stop(); });
  server->Shutdown(std::chrono::system_clock::now() + common.shutdown_timeout);
  stopper.join();
  server->Wait();
  events.flush();
  runtime.admin().stop();
  log.info("stopped", {});
  return 0;
}
