// ferrum-registry: wiring only (see agent_service.hpp and server_registry.hpp).
#include <cstdio>

#include "agent_service.hpp"
#include "ferrum/daemon.hpp"
#include "ferrum/grpc_server.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/kube/event_recorder.hpp"
#include "ferrum/signals.hpp"
#include "ferrum/worker_pool.hpp"
#include "server_registry.hpp"
#include "settings.hpp"

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
      ferrum::daemon_kube_config("ferrum-registry", {settings.kubeconfig, settings.kube_timeout,
                                                     static_cast<double>(settings.kube_qps),
                                                     static_cast<int>(settings.kube_burst)});
  if (!kube_config) return 2;
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

  // Refuse new calls, let running ones finish within the shutdown timeout, answer the
  // waiting ones UNAVAILABLE (nothing written for them), then flush queued Events.
  return ferrum::serve_grpc_until_signal(
      runtime, signals, log,
      {{settings.listen, "--listen", static_cast<int>(settings.max_message_bytes),
        64 * 1024},  // answers are a few booleans
       &service,
       &pool,
       kube_config->source,
       [&service] { service.begin_shutdown(); },
       [&events] { events.flush(); }});
}
