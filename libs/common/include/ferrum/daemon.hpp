#pragma once
// What every Ferrum daemon shares: the common flags, logging set-up, the metrics registry
// with process metrics, the admin server, and waiting for SIGTERM/SIGINT.
//
// A daemon's main():
//   ferrum::TerminationSignals signals;            // before any thread starts
//   Settings s; ferrum::DaemonCommon common;
//   FlagSet flags("ferrum-x", "..."); add_flags(flags, s); common.add_flags(flags, "0.0.0.0:9410");
//   if (int rc = ferrum::handle_parse(flags.parse(argc, argv, process_env())); rc >= 0) return rc;
//   ferrum::DaemonRuntime rt("x", common);  ... rt.start_admin(); ... signals.wait(); ...

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ferrum/admin_server.hpp"
#include "ferrum/flags.hpp"
#include "ferrum/kube/config.hpp"
#include "ferrum/log.hpp"
#include "ferrum/metrics.hpp"

namespace ferrum {

struct DaemonCommon {
  std::string admin_listen;
  std::string log_format;
  std::string log_level;
  std::chrono::milliseconds shutdown_timeout{};

  void add_flags(flags::FlagSet& flags, const std::string& default_admin_listen);
};

// Prints help/version/errors and returns the exit code to use, or -1 to keep running.
int handle_parse(const flags::ParseResult& result);

// A daemon's API server client flags; zero leaves kube::RestConfig's default.
struct KubeClientFlags {
  std::string kubeconfig;                // --kubeconfig
  std::chrono::milliseconds timeout{0};  // --kube-timeout
  double qps = 0;                        // --kube-qps
  int burst = 0;                         // --kube-burst
};

// Resolves --kubeconfig (kube::resolve_config's order) and applies the limits. On failure
// prints "<program>: --kubeconfig: <why>" to stderr and returns nothing: the daemon exits 2.
std::optional<kube::RestConfig> daemon_kube_config(std::string_view program,
                                                   const KubeClientFlags& flags);

class DaemonRuntime {
 public:
  DaemonRuntime(std::string name, const DaemonCommon& common);

  log::Logger logger(const std::string& subsystem) const { return log::Logger(output_, subsystem); }
  metrics::Registry& registry() { return registry_; }
  admin::AdminServer& admin() { return *admin_; }
  const DaemonCommon& common() const { return common_; }

  // Starts the admin server; the error names the flag.
  Expected<std::uint16_t, std::string> start_admin();

 private:
  std::string name_;
  DaemonCommon common_;
  std::shared_ptr<const log::Output> output_;
  metrics::Registry registry_;
  std::unique_ptr<admin::AdminServer> admin_;
};

}  // namespace ferrum
