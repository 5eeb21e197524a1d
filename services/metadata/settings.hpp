#pragma once
// ferrum-metadata's flags: one table with every default (each flag also from FERRUM_<FLAG>).

#include <chrono>
#include <cstdint>
#include <string>

#include "ferrum/contract.hpp"
#include "ferrum/flags.hpp"

namespace ferrum::metadata {

struct Settings {
  std::string listen;
  std::string kubeconfig;
  std::string link_api_endpoint;  // "" = no SideroLink documents
  std::string link_secret;        // "<namespace>/<name>" of ferrum-linkd's installation Secret
  std::int64_t link_events_port = contract::kLinkEventsPort;
  std::int64_t link_logs_port = contract::kLinkLogsPort;
  std::string bootstrap_secret_selector;  // label selector of cached bootstrap Secrets
  std::int64_t threads = 0;               // 0 = one per core
  std::int64_t max_connections = 0;
  std::int64_t max_connections_per_client = 0;
  std::chrono::milliseconds read_timeout{};
  std::chrono::milliseconds write_timeout{};
  std::int64_t render_cache_entries = 0;
  std::int64_t parsed_cache_entries = 0;
  std::chrono::milliseconds secret_read_timeout{};
};

void add_flags(flags::FlagSet& flags, Settings& s);

// Checks what the flag parser cannot; the error names the flag.
std::string validate(const Settings& s);

// --link-api-endpoint as SideroLinkConfig.apiUrl: a URL with scheme grpc:// or https:// is
// kept, a bare host:port becomes grpc://host:port (ferrum-linkd's plain gRPC listener).
// Empty on error, with `error` set.
std::string link_api_url(const std::string& endpoint, std::string* error);

}  // namespace ferrum::metadata
