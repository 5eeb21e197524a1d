// ferrum-ipxe-http: wiring only (see ipxe_http_app.hpp).
#include <cstdio>

#include "ferrum/daemon.hpp"
#include "ferrum/signals.hpp"
#include "ipxe_http_app.hpp"
#include "settings.hpp"

int main(int argc, char** argv) {
  ferrum::TerminationSignals signals;  // before any thread starts
  ferrum::ipxe::Settings settings;
  ferrum::DaemonCommon common;
  ferrum::flags::FlagSet flags("ferrum-ipxe-http",
                               "iPXE boot scripts and boot decisions, iPXE binaries over HTTP, "
                               "and the Environment asset cache.");
  ferrum::ipxe::add_flags(flags, settings);
  common.add_flags(flags, "0.0.0.0:9481");
  if (int rc = ferrum::handle_parse(flags.parse(argc, argv, ferrum::flags::process_env()));
      rc >= 0) {
    return rc;
  }
  if (auto err = ferrum::ipxe::validate(settings); !err.empty()) {
    std::fprintf(stderr, "ferrum-ipxe-http: %s\n", err.c_str());
    return 2;
  }
  auto config = ferrum::daemon_kube_config("ferrum-ipxe-http", {settings.kubeconfig});
  if (!config) return 2;
  ferrum::DaemonRuntime runtime("ipxe-http", common);
  auto log = runtime.logger("ipxe");
  ferrum::ipxe::IpxeHttpApp app(settings, *config, runtime);
  auto port = app.start();
  if (!port) {
    log.error("start failed", {{"error", port.error()}});
    return 1;
  }
  runtime.admin().add_readiness_check("caches", [&app] {
    return app.synced() ? std::string() : std::string("informer caches not synced");
  });
  auto admin = runtime.start_admin();
  if (!admin) {
    log.error("start failed", {{"error", "--admin-listen: " + admin.error()}});
    app.stop(std::chrono::milliseconds(0));
    return 1;
  }
  log.info("serving", {{"listen", settings.listen},
                       {"port", *port},
                       {"admin_port", *admin},
                       {"boot_endpoint", ferrum::ipxe::boot_endpoint(settings)}});
  int sig = signals.wait();
  log.info("signal received", {{"signal", sig}});
  app.stop(common.shutdown_timeout);
  runtime.admin().stop();
  return 0;
}
