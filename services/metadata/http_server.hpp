#pragma once
// ferrum-metadata's HTTP/1.1 listener (Boost.Beast), serving GET/HEAD /configdata.
//
// Contract: start() binds (port 0 picks a free port) and serves on `threads` threads; the
// handler runs on those threads and must be thread-safe. Bounds: request head <= 8 KiB,
// no request bodies (413), a read deadline per request that is also the keep-alive idle
// limit, a write deadline per response, at most `max_connections` open connections (more
// are closed at accept). stop() closes the listener, lets open connections finish within
// `drain`, then closes the rest.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "configdata_service.hpp"
#include "ferrum/expected.hpp"
#include "ferrum/log.hpp"
#include "ferrum/metrics.hpp"

namespace ferrum::metadata {

struct HttpSettings {
  std::string listen = "127.0.0.1:0";
  int threads = 1;
  std::size_t max_connections = 4096;
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};
};

// Called with the query string (after '?') of GET /configdata.
using ConfigDataHandler = std::function<HttpAnswer(std::string_view query)>;

class HttpServer {
 public:
  HttpServer(HttpSettings settings, ConfigDataHandler handler, metrics::Registry& registry,
             log::Logger log);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The error names --listen and the reason.
  Expected<std::uint16_t, std::string> start();
  void stop(std::chrono::milliseconds drain);
  std::uint16_t port() const { return port_; }
  bool serving() const { return serving_.load(); }
  int open_connections() const;

 private:
  class Impl;
  HttpSettings settings_;
  ConfigDataHandler handler_;
  metrics::Registry& registry_;
  log::Logger log_;
  std::unique_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
  std::atomic<bool> serving_{false};
  std::shared_ptr<std::atomic<int>> open_ = std::make_shared<std::atomic<int>>(0);
};

}  // namespace ferrum::metadata
