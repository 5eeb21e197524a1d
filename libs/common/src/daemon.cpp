#include "ferrum/daemon.hpp"

#include <cstdio>

#include "ferrum/signals.hpp"

namespace ferrum {

void DaemonCommon::add_flags(flags::FlagSet& f, const std::string& default_admin_listen) {
  f.add_string("admin-listen", &admin_listen, default_admin_listen,
               "Address of the admin HTTP server serving /metrics, /healthz and /readyz "
               "(host:port; [addr]:port for IPv6; :port for all interfaces).");
  f.add_choice("log-format", &log_format, "json", {"json", "text"},
               "Log line format: json (one JSON object per line) or text.");
  f.add_choice("log-level", &log_level, "info", {"debug", "info", "warn", "error"},
               "Lowest level of log lines written.");
  f.add_duration("shutdown-timeout", &shutdown_timeout, std::chrono::seconds(10),
                 "On SIGTERM, how long in-flight work may take to finish before it is cancelled.");
}

int handle_parse(const flags::ParseResult& result) {
  switch (result.outcome) {
    case flags::Outcome::kRun:
      return -1;
    case flags::Outcome::kHelp:
    case flags::Outcome::kVersion:
      std::fputs(result.message.c_str(), stdout);
      return 0;
    case flags::Outcome::kError:
      std::fprintf(stderr, "%s\n", result.message.c_str());
      return 2;
  }
  return 2;
}

std::optional<kube::RestConfig> daemon_kube_config(std::string_view program,
                                                   const KubeClientFlags& flags) {
  auto config = kube::resolve_config(flags.kubeconfig, kube::process_env_lookup());
  if (!config) {
    std::fprintf(stderr, "%.*s: --kubeconfig: %s\n", static_cast<int>(program.size()),
                 program.data(), config.error().c_str());
    return std::nullopt;
  }
  if (flags.timeout.count() > 0) config->timeout = flags.timeout;
  if (flags.qps > 0) config->qps = flags.qps;
  if (flags.burst > 0) config->burst = flags.burst;
  return std::move(*config);
}

DaemonRuntime::DaemonRuntime(std::string name, const DaemonCommon& common)
    : name_(std::move(name)), common_(common) {
  // The flag table already restricted these to valid values.
  output_ = std::make_shared<const log::Output>(
      log::parse_format(common.log_format).value_or(log::Format::kJson),
      log::parse_level(common.log_level).value_or(log::Level::kInfo));
  metrics::register_process_metrics(registry_);
  registry_.gauge("ferrum_build_info", "Ferrum build information.", {"daemon", "version"})
      .with({name_, FERRUM_VERSION})
      .set(1);
  admin_ = std::make_unique<admin::AdminServer>(
      admin::AdminSettings{common.admin_listen, std::chrono::seconds(10), 64}, registry_,
      logger("admin"));
}

Expected<std::uint16_t, std::string> DaemonRuntime::start_admin() { return admin_->start(); }

const kube::RestConfig& Daemon::kube_config(const KubeClientFlags& flags) {
  if (!config_) {
    auto config = kube::resolve_config(flags.kubeconfig, kube::process_env_lookup());
    if (!config) throw FlagError("--kubeconfig: " + config.error());
    if (flags.timeout.count() > 0) config->timeout = flags.timeout;
    if (flags.qps > 0) config->qps = flags.qps;
    if (flags.burst > 0) config->burst = flags.burst;
    config_ = std::move(*config);
  }
  return *config_;
}

kube::Client& Daemon::kube(const KubeClientFlags& flags) {
  if (!client_) client_ = std::make_unique<kube::RestClient>(kube_config(flags), clock_);
  return *client_;
}

std::chrono::milliseconds time_left(Runnable::Deadline deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? left : std::chrono::milliseconds(0);
}

namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

}  // namespace

void add_admin_part(RunnableGroup& parts, DaemonRuntime& runtime) {
  // The admin server first: a second instance fails on its port before touching anything
  // else, and /metrics and /healthz answer until the last part has stopped.
  parts.add(
      "admin",
      [&runtime]() -> std::string {
        auto port = runtime.start_admin();
        return port ? std::string() : "--admin-listen: " + port.error();
      },
      [&runtime](Runnable::Deadline deadline) { runtime.admin().stop(time_left(deadline)); });
  runtime.admin().add_readiness_check("parts", [&parts] { return parts.not_ready(); });
}

int daemon_main(int argc, char** argv, const DaemonDefinition& def) {
  TerminationSignals signals;  // before any thread starts, so every thread inherits the mask
  DaemonCommon common;
  flags::FlagSet flag_set(def.program, def.about);
  def.add_flags(flag_set);
  common.add_flags(flag_set, def.admin_listen);
  if (int rc = handle_parse(flag_set.parse(argc, argv, flags::process_env())); rc >= 0) return rc;
  if (def.validate) {
    if (auto err = def.validate(); !err.empty()) {
      std::fprintf(stderr, "%s: %s\n", def.program.c_str(), err.c_str());
      return 2;
    }
  }
  DaemonRuntime runtime(def.name, common);
  auto log = runtime.logger(def.name);
  Daemon daemon(def.program, runtime, real_clock());
  // Declared before the group: the group's destructor stops parts that live in the app.
  std::unique_ptr<DaemonApp> app;
  try {
    app = def.make_app(daemon);
  } catch (const FlagError& e) {
    std::fprintf(stderr, "%s: %s\n", def.program.c_str(), e.what());
    return 2;
  } catch (const std::exception& e) {
    log.error("start failed", {{"error", e.what()}});
    return 1;
  }
  RunnableGroup parts(log.child("parts"));
  add_admin_part(parts, runtime);
  app->add_parts(parts);
  if (auto err = parts.start(); !err.empty()) {
    log.error("start failed", {{"error", err}});
    return 1;
  }
  log.info("started", {{"parts", join(parts.started())}});

  int code = 0;
  if (auto sig = signals.wait_or_readable(parts.exit_fd())) {
    log.info("signal received", {{"signal", *sig}});
  } else {
    auto request = parts.exit_requested().value_or(ExitRequest{1, "unknown"});
    code = request.code;
    log.warn("exit requested", {{"reason", request.reason}, {"exit_code", code}});
  }
  parts.stop(std::chrono::steady_clock::now() + common.shutdown_timeout);
  log.info("stopped", {{"exit_code", code}});
  return code;
}

}  // namespace ferrum
