#pragma once
// The HTTPS transport of ferrum-apiserver (Boost.Beast over OpenSSL): TLS with the server's
// certificate, keep-alive HTTP/1.1, bearer-token authentication, and watch streaming as
// chunked newline-delimited JSON.
//
// Bounds: request head <= 64 KiB, body <= max_body_bytes (413 beyond), a read timeout per
// request, at most max_connections connections (extra ones are closed at accept), watches
// end after their timeoutSeconds (default watch_timeout) and when the client goes away.
// Shutdown: stop() closes the listener, gives requests in flight `drain`, then closes all.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "api_handler.hpp"
#include "credentials.hpp"
#include "ferrum/expected.hpp"
#include "ferrum/log.hpp"
#include "ferrum/metrics.hpp"

namespace ferrum::apiserver {

struct HttpsSettings {
  std::string listen = "127.0.0.1:6443";
  std::size_t max_body_bytes = 3 * 1024 * 1024;
  std::chrono::milliseconds read_timeout{60'000};
  std::chrono::milliseconds watch_timeout{30 * 60'000};
  std::chrono::milliseconds bookmark_interval{10'000};
  std::size_t max_connections = 1024;
  int threads = 2;
};

class HttpsServer {
 public:
  HttpsServer(HttpsSettings settings, const Credentials& creds, ApiHandler& handler, log::Logger log,
              metrics::Registry& registry);
  ~HttpsServer();
  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  // Binds and starts the worker threads; the error names the flag and the reason.
  Expected<std::uint16_t, std::string> start();
  void stop(std::chrono::milliseconds drain);
  std::uint16_t port() const { return port_; }

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
};

}  // namespace ferrum::apiserver
