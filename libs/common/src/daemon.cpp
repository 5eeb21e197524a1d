#include "ferrum/daemon.hpp"

#include <cstdio>

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

}  // namespace ferrum
