#pragma once
// ferrum-linkd's settings: every flag with its default, declared once.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "ferrum/flags.hpp"
#include "ferrum/siderolink_address.hpp"

namespace ferrum::linkd {

struct Settings {
  std::string wireguard_endpoint;
  std::int64_t wireguard_port = 51821;
  std::string wireguard_backend;  // kernel | userspace | auto
  std::string wireguard_go = "wireguard-go";
  std::string interface_name;
  std::string api_listen;
  std::int64_t log_listen_port = siderolink::kLogsPort;
  std::int64_t event_listen_port = siderolink::kEventsPort;
  std::string join_token;
  std::vector<std::string> negative_address_filter;
  std::string log_output;
  std::string kubeconfig;
  std::string link_secret;  // namespace/name
  std::chrono::milliseconds peer_batch_delay{50};
  std::chrono::milliseconds peer_check_period{15000};
  std::chrono::milliseconds stale_handshake_after{5 * 60 * 1000};
  std::chrono::milliseconds call_timeout{10000};
  std::chrono::milliseconds kube_timeout{10000};
  std::int64_t kube_qps = 2000;
  std::int64_t kube_burst = 4000;
  std::int64_t workers = 16;
  std::int64_t max_pending_calls = 4096;
  std::int64_t max_message_bytes = 64 * 1024;
  std::int64_t max_log_line_bytes = 16 * 1024;
  std::int64_t max_log_connections = 4096;
  std::chrono::milliseconds log_idle_timeout{30 * 60 * 1000};
  std::int64_t conflict_retries = 8;
};

void add_flags(flags::FlagSet& flags, Settings& s);

// What the flag table cannot check; the message names the flag.
std::string validate(const Settings& s);

// "<namespace>/<name>"; false when malformed.
bool split_secret_name(const std::string& text, std::string* ns, std::string* name);

}  // namespace ferrum::linkd
