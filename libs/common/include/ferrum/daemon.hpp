#pragma once
// What every Ferrum daemon shares: the common flags, logging set-up, the metrics registry
// with process metrics, the admin server, and daemon_main(), the one main loop.
//
// A daemon's main() is a few statements:
//   ferrum::x::Settings s;
//   return ferrum::daemon_main(argc, argv, {"ferrum-x", "x", "what it does", "0.0.0.0:9410",
//       [&](auto& flags) { add_flags(flags, s); }, [&] { return validate(s); },
//       [&](ferrum::Daemon& d) { return std::make_unique<XApp>(s, d.kube({...}), d.clock(),
//                                                               d.runtime()); }});
//
// daemon_main(): blocks SIGTERM/SIGINT before any thread starts; parses the flags (--help,
// --version; a bad flag exits 2 naming it); runs `validate` (an error exits 2 as
// "<program>: <error>"); builds the runtime and calls `make_app` (a FlagError, e.g. a bad
// --kubeconfig, exits 2 the same way; any other exception is logged "start failed" and exits
// 1); starts the admin server and then the app's parts in order (RunnableGroup: a part that
// fails stops the ones started before it, "start failed" naming the flag, exit 1); waits for
// SIGTERM/SIGINT or a part's request_exit(); stops every part in reverse order within
// --shutdown-timeout; exits 0 after a signal, or with the code the part asked for.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "ferrum/admin_server.hpp"
#include "ferrum/clock.hpp"
#include "ferrum/flags.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/kube/config.hpp"
#include "ferrum/log.hpp"
#include "ferrum/metrics.hpp"
#include "ferrum/runnable.hpp"

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

// A start-up error that a flag's value caused; `what()` names the flag ("--kubeconfig: ...").
// daemon_main prints "<program>: <what>" and exits 2, as for a flag that does not parse.
class FlagError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What make_app gets: the runtime (loggers, metrics, admin server), the clock, and the API
// server client, all owned by daemon_main and alive until the parts are stopped.
class Daemon {
 public:
  Daemon(std::string program, DaemonRuntime& runtime, Clock& clock)
      : program_(std::move(program)), runtime_(runtime), clock_(clock) {}

  DaemonRuntime& runtime() { return runtime_; }
  Clock& clock() { return clock_; }
  const std::string& program() const { return program_; }

  // The client for the API server named by the daemon's --kubeconfig and --kube-* flags,
  // made on the first call (later calls return it and ignore `flags`). A --kubeconfig that
  // cannot be resolved throws FlagError.
  kube::Client& kube(const KubeClientFlags& flags);
  // The resolved configuration behind kube() (for a second client with other limits).
  const kube::RestConfig& kube_config(const KubeClientFlags& flags);

 private:
  std::string program_;
  DaemonRuntime& runtime_;
  Clock& clock_;
  std::optional<kube::RestConfig> config_;
  std::unique_ptr<kube::Client> client_;
};

// A daemon assembled from its flags: the parts it runs, in start order.
class DaemonApp {
 public:
  virtual ~DaemonApp() = default;
  // Adds this daemon's parts to `parts`; daemon_main has added the admin server first, so it
  // answers /healthz and /metrics from the start and until the last part stopped.
  virtual void add_parts(RunnableGroup& parts) = 0;
};

struct DaemonDefinition {
  std::string program;       // "ferrum-linkd": --help, --version and flag errors
  std::string name;          // "linkd": ferrum_build_info's daemon label and the main logger
  std::string about;         // --help's description
  std::string admin_listen;  // the default --admin-listen
  std::function<void(flags::FlagSet&)> add_flags;
  std::function<std::string()> validate;  // an error naming the flag, or empty; may be unset
  std::function<std::unique_ptr<DaemonApp>(Daemon&)> make_app;
};

// What daemon_main adds before the app's parts (in-process tests of an app add it too): the
// admin server as the first part, and the "parts" readiness check (ready only while every
// part runs).
void add_admin_part(RunnableGroup& parts, DaemonRuntime& runtime);

// The whole life of a daemon process (see the top of this file); returns the exit code.
int daemon_main(int argc, char** argv, const DaemonDefinition& definition);

// A part for a server whose stop() takes how long it may drain: the deadline's time left.
std::chrono::milliseconds time_left(Runnable::Deadline deadline);

}  // namespace ferrum
