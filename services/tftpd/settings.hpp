#pragma once
// ferrum-tftpd's settings: every flag with its default, declared once.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "ferrum/flags.hpp"
#include "source_limiter.hpp"

namespace ferrum::tftp {

struct Settings {
  std::vector<std::string> listen;
  std::string root;
  bool single_port = false;
  std::int64_t max_blksize = 1468;
  std::int64_t max_windowsize = 64;
  std::chrono::milliseconds timeout{1000};
  std::int64_t retries = 5;
  std::int64_t max_transfers = 4096;
  std::int64_t cache_max_bytes = 256ll << 20;
  std::int64_t cache_max_file_bytes = 32ll << 20;
  std::int64_t threads = 0;  // 0: one per CPU, at most 8
  SourceLimits per_source;
};

void add_flags(flags::FlagSet& flags, Settings& s);

// Checks what the flag table cannot (cross-field rules, durations); the error names the flag.
std::string validate(const Settings& s);

}  // namespace ferrum::tftp
