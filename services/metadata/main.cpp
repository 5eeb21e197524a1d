// ferrum-metadata: wiring only (see metadata_app.hpp).
#include <cstdio>

#include "ferrum/daemon.hpp"
#include "ferrum/signals.hpp"
#include "metadata_app.hpp"
#include "settings.hpp"

int main(int argc, char** argv) {
  ferrum::TerminationSignals signals;  // before any thread starts
  ferrum::metadata::Settings settings;
  ferrum::DaemonCommon common;
  ferrum::flags::FlagSet flags(
      "ferrum-metadata",
      "Serves Talos machine configs at GET /configdata?uuid=<uuid>: the Cluster API "
      "bootstrap config with the ServerClass's and the Server's patches applied, the "
      "metal.sidero.dev/uuid node label and the SideroLink documents.");
  ferrum::metadata::add_flags(flags, settings);
  common.add_flags(flags, "0.0.0.0:9403");
  if (int rc = ferrum::handle_parse(flags.parse(argc, argv, ferrum::flags::process_env()));
      rc >= 0) {
    return rc;
  }
  if (auto err = ferrum::metadata::validate(settings); !err.empty()) {
    std::fprintf(stderr, "ferrum-metadata: %s\n", err.c_str());
    return 2;
  }
  ferrum::DaemonRuntime runtime("metadata", common);
  auto log = runtime.logger("metadata");
  ferrum::metadata::MetadataApp app(settings, runtime);
  if (auto started = app.start(); !started) {
    log.error("start failed", {{"error", started.error()}});
    app.stop(std::chrono::milliseconds(0));
    return 1;
  }
  if (auto admin = runtime.start_admin(); !admin) {
    log.error("start failed", {{"error", "--admin-listen: " + admin.error()}});
    app.stop(std::chrono::milliseconds(0));
    return 1;
  }
  int sig = signals.wait();
  log.info("signal received", {{"signal", sig}});
  app.stop(common.shutdown_timeout);
  runtime.admin().stop();
  return 0;
}
