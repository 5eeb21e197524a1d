#pragma once
// The admin HTTP server every daemon runs on --admin-listen: /metrics (Prometheus text
// 0.0.4), /healthz (the process and this server's event loop are alive) and /readyz (every
// registered readiness check passes; 503 names the failing ones).
//
// Routes on Ferrum's one HTTP server (ferrum/http/server.hpp), one event loop.
// Contract: start() binds (port 0 picks a free port, see port()) and serves on its own
// thread; stop() closes the listener and idle connections, gives requests in flight `drain`
// to finish, then closes them. Bounds: GET/HEAD only, request head <= 8 KiB, no bodies, one
// total deadline (read_timeout) per request head, at most `max_connections` at once (extra
// connections are closed at accept).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ferrum/expected.hpp"
#include "ferrum/http/server.hpp"
#include "ferrum/log.hpp"
#include "ferrum/metrics.hpp"

namespace ferrum::admin {

struct AdminSettings {
  std::string listen = "127.0.0.1:0";
  std::chrono::milliseconds read_timeout{10'000};
  std::size_t max_connections = 64;
};

// A readiness check: returns empty when ready, else why not.
using ReadinessCheck = std::function<std::string()>;

class AdminServer {
 public:
  AdminServer(AdminSettings settings, metrics::Registry& registry, log::Logger log);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  void add_readiness_check(std::string name, ReadinessCheck check);

  // Binds and starts serving; the error names the address and the reason.
  Expected<std::uint16_t, std::string> start();
  void stop(std::chrono::milliseconds drain = std::chrono::milliseconds(1000));
  std::uint16_t port() const { return port_; }

  // The /readyz answer: empty when ready, else one line per failing check.
  std::string readiness() const;

 private:
  AdminSettings settings_;
  metrics::Registry& registry_;
  log::Logger log_;
  mutable std::mutex checks_mu_;
  std::vector<std::pair<std::string, ReadinessCheck>> checks_;
  std::unique_ptr<http::Server> server_;
  std::uint16_t port_ = 0;
};

}  // namespace ferrum::admin
