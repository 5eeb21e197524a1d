// ferrum-tftpd: wiring only (see server.hpp).
#include <cstdio>

#include "ferrum/daemon.hpp"
#include "ferrum/signals.hpp"
#include "server.hpp"
#include "settings.hpp"

int main(int argc, char** argv) {
  ferrum::TerminationSignals signals;  // before any thread starts
  ferrum::tftp::Settings settings;
  ferrum::DaemonCommon common;
  ferrum::flags::FlagSet flags("ferrum-tftpd",
                               "Read-only TFTP server for PXE firmware (RFC 1350, 2347, 2348, "
                               "2349, 7440).");
  ferrum::tftp::add_flags(flags, settings);
  common.add_flags(flags, "0.0.0.0:9401");
  if (int rc = ferrum::handle_parse(flags.parse(argc, argv, ferrum::flags::process_env()));
      rc >= 0) {
    return rc;
  }
  if (auto err = ferrum::tftp::validate(settings); !err.empty()) {
    std::fprintf(stderr, "ferrum-tftpd: %s\n", err.c_str());
    return 2;
  }
  ferrum::DaemonRuntime runtime("tftpd", common);
  auto log = runtime.logger("tftp");
  ferrum::tftp::Server server(settings, runtime.registry(), log);
  auto bound = server.start();
  if (!bound) {
    log.error("start failed", {{"error", bound.error()}});
    return 1;
  }
  runtime.admin().add_readiness_check("tftp", [&server] {
    return server.serving() ? std::string() : std::string("TFTP server not serving");
  });
  if (auto admin = runtime.start_admin(); !admin) {
    log.error("start failed", {{"error", "--admin-listen: " + admin.error()}});
    server.stop(std::chrono::milliseconds(0));
    return 1;
  }
  int sig = signals.wait();
  log.info("signal received", {{"signal", sig}, {"active_transfers", server.active_transfers()}});
  server.stop(common.shutdown_timeout);
  runtime.admin().stop();
  return 0;
}
