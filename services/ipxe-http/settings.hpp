#pragma once
// ferrum-ipxe-http's settings: every flag with its default, declared once.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "boot_decision.hpp"
#include "ferrum/flags.hpp"

namespace ferrum::ipxe {

struct Settings {
  std::string listen;
  std::string api_endpoint;
  std::int64_t api_port = 8081;
  std::string tftp_root;
  std::string asset_dir;
  std::string agent_dir;
  std::string registry_endpoint;
  std::string metadata_endpoint;
  std::string link_api_endpoint;
  std::string link_server_address;
  std::string link_secret;
  std::string extra_agent_kernel_args;
  std::string boot_from_disk_method;
  std::string kubeconfig;
  std::string lease_namespace;
  std::int64_t workers = 2;
  std::int64_t max_connections = 4096;
  std::int64_t max_connections_per_client = 256;
  std::int64_t decision_cache_entries = 20000;
  std::chrono::milliseconds header_timeout{};
  std::chrono::milliseconds idle_timeout{};
  std::int64_t asset_max_bytes = 1ll << 30;
  std::chrono::milliseconds asset_connect_timeout{};
  std::chrono::milliseconds asset_download_timeout{};
  std::int64_t asset_download_attempts = 3;
  std::int64_t asset_download_workers = 2;
};

void add_flags(flags::FlagSet& flags, Settings& s);

// Checks what the flag table cannot; the error names the flag.
std::string validate(const Settings& s);

// The endpoint machines use for this service ("host:port", bracketed IPv6).
std::string boot_endpoint(const Settings& s);
// The decision's settings, with defaults derived from --api-endpoint.
DecisionSettings decision_settings(const Settings& s);

}  // namespace ferrum::ipxe
