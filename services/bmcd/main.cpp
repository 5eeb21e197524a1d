// ferrum-bmcd: wiring only (see power_service.hpp).
#include <cstdio>

#include "ferrum/daemon.hpp"
#include "ferrum/grpc_server.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/signals.hpp"
#include "ferrum/worker_pool.hpp"
#include "freeipmi_client.hpp"
#include "power_service.hpp"
#include "session_pool.hpp"
#include "settings.hpp"

int main(int argc, char** argv) {
  ferrum::TerminationSignals signals;  // before any thread starts
  ferrum::bmcd::Settings settings;
  ferrum::DaemonCommon common;
  ferrum::flags::FlagSet flags(
      "ferrum-bmcd",
      "Power and boot-device control of Servers over IPMI 2.0 (libfreeipmi) and "
      "Sidero's HTTP \"api\" method, as the gRPC service ferrum.power.v1.Power.");
  ferrum::bmcd::add_flags(flags, settings);
  common.add_flags(flags, "0.0.0.0:9420");
  if (int rc = ferrum::handle_parse(flags.parse(argc, argv, ferrum::flags::process_env()));
      rc >= 0) {
    return rc;
  }
  if (auto err = ferrum::bmcd::validate(settings); !err.empty()) {
    std::fprintf(stderr, "ferrum-bmcd: %s\n", err.c_str());
    return 2;
  }
  auto kube_config =
      ferrum::daemon_kube_config("ferrum-bmcd", {settings.kubeconfig, settings.kube_timeout});
  if (!kube_config) return 2;
  ferrum::DaemonRuntime runtime("bmcd", common);
  auto log = runtime.logger("bmcd");
  ferrum::kube::RestClient kube(*kube_config);
  auto& open_sessions = runtime.registry()
                            .gauge("bmcd_ipmi_sessions_open", "IPMI sessions open (in use or idle)")
                            .get();
  ferrum::bmcd::FreeIpmi ipmi(&open_sessions);
  ferrum::bmcd::SessionPool sessions(settings.session_idle,
                                     static_cast<std::size_t>(settings.max_idle_sessions),
                                     ferrum::real_clock());
  ferrum::WorkerPool executor(static_cast<std::size_t>(settings.max_concurrent_bmcs),
                              static_cast<std::size_t>(settings.max_pending_calls));
  runtime.registry().gauge_callback(
      "bmcd_pending_calls", "Calls waiting for their BMC",
      [&executor] { return static_cast<double>(executor.pending()); });
  ferrum::bmcd::PowerService service(settings, kube, ipmi, sessions, executor, runtime.registry(),
                                     log.child("power"));

  // Stop taking calls, let running BMC operations end within the shutdown timeout (backoff
  // waits end at once), answer whatever still waits with UNAVAILABLE.
  return ferrum::serve_grpc_until_signal(
      runtime, signals, log,
      {{settings.listen, "--listen", 64 * 1024},  // requests are a name and two enums
       &service,
       &executor,
       kube_config->source,
       [&service] { service.begin_shutdown(); },
       {}});
}
