#pragma once
// Ferrum's one HTTP/1.1 server (Boost.Beast parser over Asio; plain TCP or TLS), shared by the
// admin server, ferrum-metadata, ferrum-ipxe-http and ferrum-apiserver.
//
// Contract: start() binds `listen` (port 0 picks a free port) and runs `threads` event loops,
// each with its own listener on the port (SO_REUSEPORT, as nginx's workers; a second process
// on the same port is still refused). One session object per connection answers its requests
// in order (keep-alive and pipelining); the handler contract is handler.hpp's. Every bound of
// limits.hpp applies; connections refused by a cap are closed at accept and counted.
// stop(drain) is two-phase: it closes the listeners and the idle keep-alive connections, ends
// streams, answers requests in flight with "Connection: close", and waits (on a condition, not
// a poll) until no connection is open or `drain` passed; then it closes what is left.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ferrum/clock.hpp"
#include "ferrum/expected.hpp"
#include "ferrum/http/handler.hpp"
#include "ferrum/http/limits.hpp"
#include "ferrum/log.hpp"
#include "ferrum/metrics.hpp"

namespace ferrum::http {

struct TlsSettings {
  std::string cert_pem;  // chain, PEM
  std::string key_pem;
};

struct ServerSettings {
  std::string listen = "127.0.0.1:0";
  std::string listen_flag = "listen";  // the flag named in bind errors
  int threads = 1;
  Limits limits;
  std::optional<TlsSettings> tls;
  std::string server_header;  // Server: value; empty: none
  // With a registry: <metrics_prefix>_open_connections and
  // <metrics_prefix>_connections_rejected_total{reason}.
  metrics::Registry* registry = nullptr;
  std::string metrics_prefix;
  // Renders the server's own answers (400, 413, 431, 500, 505...); default: text/plain.
  std::function<Response(int status, std::string message)> error_response;
  Clock* clock = nullptr;  // for deadlines; null: the real clock
};

class Server {
 public:
  Server(ServerSettings settings, Handler handler, log::Logger log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The error names the flag, the address and the reason.
  Expected<std::uint16_t, std::string> start();
  void stop(std::chrono::milliseconds drain);

  std::uint16_t port() const { return port_; }
  bool serving() const;
  std::size_t open_connections() const;
  // Empty while connections can be accepted; else why not (for /readyz).
  std::string saturation() const;

  class State;
  class Worker;

 private:
  std::shared_ptr<State> state_;
  std::vector<std::shared_ptr<Worker>> workers_;
  std::uint16_t port_ = 0;
};

}  // namespace ferrum::http
