// ferrum-apiserver: the embedded Kubernetes-compatible API server (wiring only).
#include <cstdio>
#include <filesystem>

#include "apiserver_app.hpp"
#include "ferrum/signals.hpp"

int main(int argc, char** argv) {
  ferrum::TerminationSignals signals;
  ferrum::apiserver::AppSettings settings;
  ferrum::DaemonCommon common;
  auto flags = ferrum::apiserver::make_flags(settings, common);
  if (int rc = ferrum::handle_parse(flags.parse(argc, argv, ferrum::flags::process_env())); rc >= 0)
    return rc;
  try {
    ferrum::apiserver::App app(settings, common);
    if (auto err = app.start(); !err.empty()) return 1;  // logged by start()
    signals.wait();
    app.stop();
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ferrum-apiserver: %s\n", e.what());
    return 1;
  }
}
