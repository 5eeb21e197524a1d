#pragma once
// ferrum-apiserver as a whole: flags, credentials, the store, the handler, its routes on
// Ferrum's HTTP server over TLS,
// and the admin server, started and stopped in order. main() only wires this.

#include <atomic>
#include <memory>
#include <string>

#include "api_handler.hpp"
#include "durable_store.hpp"
#include "ferrum/daemon.hpp"
#include "ferrum/flags.hpp"
#include "api_transport.hpp"
#include "ferrum/http/server.hpp"
#include "object_store.hpp"

namespace ferrum::apiserver {

struct AppSettings {
  std::string listen;
  std::string data_dir;
  std::vector<std::string> crd_dirs;
  std::vector<std::string> tls_hosts;
  std::int64_t max_body_bytes = 0;
  std::int64_t watch_history = 0;
  std::int64_t max_connections = 0;
  std::int64_t max_handshakes_per_client = 0;
  std::int64_t reserved_connections = 0;
  std::chrono::milliseconds handshake_timeout{};
  std::int64_t threads = 0;
  std::chrono::milliseconds request_timeout{};
  std::chrono::milliseconds watch_timeout{};
  std::chrono::milliseconds bookmark_interval{};
};

flags::FlagSet make_flags(AppSettings& s, DaemonCommon& common);

class App {
 public:
  App(AppSettings settings, DaemonCommon common);
  ~App();
  // Returns an error message naming the flag or file, or empty on success.
  // Starts everything; an error is also logged ("start failed") before it is returned.
  std::string start();
  void stop();

 private:
  std::string start_components();
  AppSettings settings_;
  DaemonRuntime runtime_;
  log::Logger log_;
  std::unique_ptr<SqliteStore> durable_;
  std::unique_ptr<ObjectStore> store_;
  std::unique_ptr<ApiHandler> handler_;
  std::unique_ptr<http::Server> server_;
  std::atomic<bool> ready_{false};
};

}  // namespace ferrum::apiserver
