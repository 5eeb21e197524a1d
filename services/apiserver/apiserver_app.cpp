#include "apiserver_app.hpp"

#include <filesystem>

#include "credentials.hpp"
#include "ferrum/net.hpp"

namespace ferrum::apiserver {

const char* const kAbout =
    "Ferrum's embedded Kubernetes-compatible API server: serves Ferrum's and Cluster API's "
    "resources over HTTPS from a SQLite database, for one machine and for tests. Clients "
    "use the kubeconfig it writes into --data-dir.";

void add_flags(flags::FlagSet& f, AppSettings& s) {
  f.add_string("listen", &s.listen, "127.0.0.1:6443", "HTTPS address to serve the Kubernetes API on.");
  f.add_string("data-dir", &s.data_dir, "/var/lib/ferrum/apiserver",
               "Directory for the SQLite database, the generated CA and serving certificate, the bearer "
               "token, and the kubeconfig clients use.");
  f.add_list("crd-dir", &s.crd_dirs, {},
             "Directory of CustomResourceDefinition manifests (*.yaml) to create or update at start "
             "(scripts/demo passes charts/ferrum/crds and charts/ferrum/crds-capi). Repeatable.");
  f.add_list("tls-host", &s.tls_hosts, {},
             "Extra host names or IPs for the serving certificate (localhost, 127.0.0.1, ::1 and the "
             "--listen host are always included).");
  f.add_int("max-body-bytes", &s.max_body_bytes, 3 * 1024 * 1024,
            "Largest request body accepted; larger ones get 413.", 1024, 1LL << 30);
  f.add_int("watch-history", &s.watch_history, 100'000,
            "Events kept for watches that resume from a resourceVersion; older ones get 410 Gone.", 100,
            100'000'000);
  f.add_int("watch-history-bytes", &s.watch_history_bytes, 256LL << 20,
            "Stored size of the events kept for resuming watches (the oldest go first, their "
            "watchers get 410 Gone and relist).",
            1 << 20, 1LL << 40);
  f.add_int("watch-buffer-events", &s.watch_buffer_events, 10'000,
            "Events one watch may have waiting for its client; a watch whose client falls further "
            "behind is closed (the client re-watches or relists), as kube-apiserver's cacher does.",
            10, 10'000'000);
  f.add_int("watch-buffer-bytes", &s.watch_buffer_bytes, 16LL << 20,
            "Stored size of the events one watch may have waiting for its client; beyond it the "
            "watch is closed like one over --watch-buffer-events.",
            64 * 1024, 1LL << 40);
  f.add_int("max-connections", &s.max_connections, 1024, "Most client connections at once.", 1, 1'000'000);
  f.add_int("max-handshakes-per-client", &s.max_handshakes_per_client, 64,
            "Most connections from one client address still in their TLS handshake; more are "
            "closed at accept, so idle connects from one address cannot fill --max-connections "
            "(0: no bound).",
            0, 1'000'000);
  f.add_int("reserved-connections", &s.reserved_connections, 128,
            "Connections of --max-connections kept for clients that completed their TLS "
            "handshake: connections still in a handshake may use the rest only.",
            0, 1'000'000);
  f.add_duration("tls-handshake-timeout", &s.handshake_timeout, std::chrono::seconds(10),
                 "Time a new connection has to complete its TLS handshake.");
  f.add_int("threads", &s.threads, 2, "Threads serving HTTPS requests.", 1, 256);
  f.add_duration("request-timeout", &s.request_timeout, std::chrono::seconds(60),
                 "How long a client may take to send a request or read a response.");
  f.add_duration("watch-timeout", &s.watch_timeout, std::chrono::minutes(30),
                 "Longest a watch stays open when the client sets no timeoutSeconds.");
  f.add_duration("bookmark-interval", &s.bookmark_interval, std::chrono::seconds(10),
                 "How often watches that allow bookmarks get one.");
}

App::App(AppSettings settings, DaemonRuntime& runtime)
    : settings_(std::move(settings)), runtime_(runtime), log_(runtime_.logger("apiserver")) {}

App::~App() = default;

void App::add_parts(RunnableGroup& parts) {
  parts.add("store", [this] { return start_store(); }, [this](Runnable::Deadline) { stop_store(); });
  parts.add("https", [this] { return start_https(); }, [this](Runnable::Deadline deadline) {
    if (server_) server_->stop(time_left(deadline));
  });
}

std::string App::start_store() {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(settings_.data_dir, ec);
  if (ec) return "--data-dir " + settings_.data_dir + ": " + ec.message();
  auto hp = net::parse_host_port(settings_.listen);
  if (!hp) return "--listen " + settings_.listen + ": " + hp.error();

  std::vector<std::string> hosts = settings_.tls_hosts;
  if (!hp->host.empty() && hp->host != "0.0.0.0" && hp->host != "::") hosts.push_back(hp->host);
  auto creds = ensure_credentials(settings_.data_dir, hosts);
  if (!creds) return creds.error();
  creds_ = std::move(*creds);

  durable_ = std::make_unique<SqliteStore>((fs::path(settings_.data_dir) / "ferrum.db").string());
  store_ =
      std::make_unique<ObjectStore>(*durable_, static_cast<std::size_t>(settings_.watch_history),
                                    static_cast<std::size_t>(settings_.watch_history_bytes));
  loaded_ = store_->load();
  store_->start();

  client_host_ = hp->host.empty() || hp->host == "0.0.0.0" ? "127.0.0.1" : hp->host == "::" ? "::1" : hp->host;
  HandlerSettings hs;
  hs.token = creds_->token;
  hs.watch_queue = static_cast<std::size_t>(settings_.watch_buffer_events);
  hs.watch_queue_bytes = static_cast<std::size_t>(settings_.watch_buffer_bytes);
  handler_ = std::make_unique<ApiHandler>(hs, *store_, runtime_.logger("api"), runtime_.registry());
  handler_->bootstrap();
  for (const auto& dir : settings_.crd_dirs) {
    auto n = handler_->apply_crd_dir(dir);
    if (!n) {
      stop_store();
      return n.error();
    }
    log_.info("CRDs applied", {{"dir", dir}, {"count", *n}});
  }
  return {};
}

void App::stop_store() {
  if (handler_) handler_->stop();
  if (store_) store_->stop();  // flushes writes in flight
}

std::string App::start_https() {
  namespace fs = std::filesystem;

  TransportSettings ts;
  ts.listen = settings_.listen;
  ts.threads = static_cast<int>(settings_.threads);
  ts.max_body_bytes = static_cast<std::size_t>(settings_.max_body_bytes);
  ts.request_timeout = settings_.request_timeout;
  ts.watch_timeout = settings_.watch_timeout;
  ts.bookmark_interval = settings_.bookmark_interval;
  ts.handshake_timeout = settings_.handshake_timeout;
  ts.max_connections = static_cast<std::size_t>(settings_.max_connections);
  ts.max_handshakes_per_client = static_cast<std::size_t>(settings_.max_handshakes_per_client);
  ts.reserved_connections = static_cast<std::size_t>(settings_.reserved_connections);
  if (ts.reserved_connections >= ts.max_connections) {
    return "--reserved-connections " + std::to_string(ts.reserved_connections) +
           ": must be less than --max-connections (" + std::to_string(ts.max_connections) + ")";
  }
  server_ = std::make_unique<http::Server>(api_server_settings(ts, *creds_, runtime_.registry()),
                                           api_routes(*handler_, ts), runtime_.logger("https"));
  runtime_.admin().add_readiness_check(
      "https", [this] { return server_ ? server_->saturation() : std::string(); });
  auto port = server_->start();
  if (!port) return port.error();

  std::string url = "https://" + net::format_host_port(client_host_, *port);
  handler_->set_server_address(net::format_host_port(client_host_, *port));
  std::string kubeconfig = (fs::path(settings_.data_dir) / "kubeconfig").string();
  if (auto w = write_file_atomic(kubeconfig, kubeconfig_yaml(url, creds_->ca_pem, creds_->token), 0600); !w) {
    server_->stop(std::chrono::milliseconds(0));
    return w.error();
  }
  log_.info("serving", {{"url", url}, {"kubeconfig", kubeconfig}, {"objects", loaded_},
                        {"resource_version", store_->current_rv()}});
  return {};
}

}  // namespace ferrum::apiserver
