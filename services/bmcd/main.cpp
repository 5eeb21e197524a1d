// ferrum-bmcd: wiring only (see power_service.hpp).
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <cstdio>

#include "bmc_executor.hpp"
#include "ferrum/daemon.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/kube/config.hpp"
#include "ferrum/signals.hpp"
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
      ferrum::kube::resolve_config(settings.kubeconfig, ferrum::kube::process_env_lookup());
  if (!kube_config) {
    std::fprintf(stderr, "ferrum-bmcd: --kubeconfig: %s\n", kube_config.error().c_str());
    return 2;
  }
  kube_config->timeout = settings.kube_timeout;
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
  ferrum::bmcd::BmcExecutor executor(static_cast<std::size_t>(settings.max_concurrent_bmcs),
                                     static_cast<std::size_t>(settings.max_pending_calls));
  runtime.registry().gauge_callback(
      "bmcd_pending_calls", "Calls waiting for their BMC",
      [&executor] { return static_cast<double>(executor.pending()); });
  ferrum::bmcd::PowerService service(settings, kube, ipmi, sessions, executor, runtime.registry(),
                                     log.child("power"));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(settings.listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  builder.SetMaxReceiveMessageSize(64 * 1024);  // requests are a name and two enums
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    log.error("start failed", {{"error", "--listen: cannot listen on " + settings.listen}});
    executor.stop();
    return 1;
  }
  log.info("grpc listening",
           {{"listen", settings.listen}, {"port", port}, {"api", kube_config->source}});
  runtime.admin().add_readiness_check("grpc", [] { return std::string(); });
  if (auto admin = runtime.start_admin(); !admin) {
    log.error("start failed", {{"error", "--admin-listen: " + admin.error()}});
    server->Shutdown(std::chrono::system_clock::now());
    executor.stop();
    return 1;
  }
  int sig = signals.wait();
  log.info("signal received", {{"signal", sig}, {"pending_calls", executor.pending()}});
  // Stop taking calls, let running BMC operations end within the shutdown timeout (backoff
  // waits end at once), then answer whatever still waits with UNAVAILABLE.
  service.begin_shutdown();
  if (auto* health = server->GetHealthCheckService()) health->Shutdown();
  std::thread stopper([&executor] { executor.stop(); });
  server->Shutdown(std::chrono::system_clock::now() + common.shutdown_timeout);
  stopper.join();
  server->Wait();
  runtime.admin().stop();
  log.info("stopped", {});
  return 0;
}
