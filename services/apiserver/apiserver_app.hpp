#pragma once
// ferrum-apiserver as a whole: flags, credentials, the store, the handler and its routes on
// Ferrum's HTTP server over TLS (ferrum/http/server.hpp), as two parts (daemon_main starts the admin server before them):
//   store  --data-dir, the serving credentials, the SQLite database loaded, the handler with
//          the built-in resources and the --crd-dir CRDs (stop: flush writes in flight);
//   https  the HTTPS server on --listen and the kubeconfig written for clients (stop: drain
//          until the deadline).
// Ready once both run. It has no API client or clock to take: it is the API server.

#include <memory>
#include <optional>
#include <string>

#include "api_handler.hpp"
#include "credentials.hpp"
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
  std::int64_t watch_history_bytes = 0;
  std::int64_t watch_buffer_events = 0;
  std::int64_t watch_buffer_bytes = 0;
  std::int64_t max_connections = 0;
  std::int64_t max_handshakes_per_client = 0;
  std::int64_t reserved_connections = 0;
  std::chrono::milliseconds handshake_timeout{};
  std::int64_t threads = 0;
  std::chrono::milliseconds request_timeout{};
  std::chrono::milliseconds watch_timeout{};
  std::chrono::milliseconds bookmark_interval{};
};

void add_flags(flags::FlagSet& f, AppSettings& s);
extern const char* const kAbout;  // --help's description

class App final : public DaemonApp {
 public:
  App(AppSettings settings, DaemonRuntime& runtime);
  ~App() override;
  void add_parts(RunnableGroup& parts) override;

 private:
  // Each returns an error message naming the flag or file, or empty on success; a part that
  // fails undoes what it did itself.
  std::string start_store();
  void stop_store();
  std::string start_https();

  AppSettings settings_;
  DaemonRuntime& runtime_;
  log::Logger log_;
  std::optional<Credentials> creds_;
  std::string client_host_;
  std::size_t loaded_ = 0;
  std::unique_ptr<SqliteStore> durable_;
  std::unique_ptr<ObjectStore> store_;
  std::unique_ptr<ApiHandler> handler_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace ferrum::apiserver
