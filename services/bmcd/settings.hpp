#pragma once
// ferrum-bmcd's settings: every flag with its default, declared once.

#include <chrono>
#include <cstdint>
#include <string>

#include "ferrum/flags.hpp"

namespace ferrum::bmcd {

struct Settings {
  std::string listen;
  std::string kubeconfig;
  std::chrono::milliseconds ipmi_timeout{5000};
  std::int64_t ipmi_retries = 2;
  std::chrono::milliseconds retry_backoff{250};
  std::int64_t max_concurrent_bmcs = 64;
  std::int64_t max_pending_calls = 4096;
  std::chrono::milliseconds session_idle{20000};
  std::int64_t max_idle_sessions = 1024;
  std::chrono::milliseconds kube_timeout{10000};
};

void add_flags(flags::FlagSet& flags, Settings& s);

// Checks what the flag table cannot (durations' ranges, the listen address); names the flag.
std::string validate(const Settings& s);

}  // namespace ferrum::bmcd
