#pragma once
// Downloads one asset URL into an open file with libcurl, hashing it (SHA-512, OpenSSL EVP)
// as it streams. One attempt per call; AssetCache decides about retries.
//
// Contract: every transfer is bounded: connect timeout, whole-transfer timeout, a low-speed
// abort (less than 1 KiB/s for `low_speed_time`), and `max_bytes` (checked against
// Content-Length up front and against the bytes received). Only http and https URLs are
// fetched; redirects are followed (at most 5, http/https only). The result names why a
// download failed in the terms an operator reads in the Environment's condition.

#include <chrono>
#include <cstdint>
#include <stop_token>
#include <string>

namespace ferrum::ipxe {

struct FetchLimits {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{600'000};
  std::chrono::milliseconds low_speed_time{30'000};
  std::uint64_t max_bytes = 1ull << 30;
};

struct FetchResult {
  bool ok = false;
  // Condition reasons: "HTTPError", "Timeout", "TooLarge", "TransportError", "BadURL",
  // "Cancelled", "WriteError".
  std::string reason;
  std::string message;
  long http_status = 0;
  std::uint64_t bytes = 0;
  std::string sha512;  // lower-case hex of what was received
  // Worth trying again later unchanged (timeouts, transport errors, 5xx, 429).
  bool retryable = false;
};

class AssetFetcher {
 public:
  explicit AssetFetcher(FetchLimits limits) : limits_(limits) {}
  FetchResult fetch(const std::string& url, int fd, std::stop_token stop) const;

 private:
  FetchLimits limits_;
};

// SHA-512 of a whole file as lower-case hex; empty on a read error.
std::string sha512_file(int fd);

}  // namespace ferrum::ipxe
