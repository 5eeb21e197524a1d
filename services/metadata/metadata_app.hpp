#pragma once
// ferrum-metadata assembled: informer caches, the /configdata service and its HTTP listener.
// Parts, in start order: one per informer, then the HTTP listener (so a taken --listen port
// stops the informers again); stopping drains HTTP until the deadline, then stops the
// informers. main() (through daemon_main) builds the API server client, the Secret reader
// (its own deadline, --secret-read-timeout) and the clock; tests pass their own.

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "configdata_service.hpp"
#include "ferrum/daemon.hpp"
#include "ferrum/http/router.hpp"
#include "ferrum/http/server.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/kube/informer.hpp"
#include "settings.hpp"

namespace ferrum::metadata {

// The HTTP server's settings from the flags (limits, threads, metrics names).
http::ServerSettings http_settings(const Settings& s, metrics::Registry& registry);
// GET/HEAD /configdata?<query> answered by `service`; anything else 404 or 405.
http::Handler configdata_routes(ConfigDataService& service);

class MetadataApp final : public DaemonApp {
 public:
  // validate(settings) passed. `secrets` reads bootstrap Secrets outside the watch cache.
  MetadataApp(Settings settings, kube::Client& client, std::unique_ptr<kube::Reader> secrets,
              Clock& clock, DaemonRuntime& runtime);
  ~MetadataApp() override;

  void add_parts(RunnableGroup& parts) override;
  // The HTTP port (after start).
  std::uint16_t port() const { return port_; }

  // Empty when every cache has loaded, else which have not.
  std::string not_synced() const;

 private:
  kube::Informer& add_informer(const std::string& what, kube::InformerSettings s);
  Expected<std::uint16_t, std::string> start_http();

  Settings settings_;
  DaemonRuntime& runtime_;
  Clock& clock_;
  log::Logger log_;
  kube::Client& client_;
  std::unique_ptr<kube::Reader> secret_client_;
  std::vector<std::pair<std::string, std::unique_ptr<kube::Informer>>> informers_;
  std::unique_ptr<LinkSource> link_;
  std::unique_ptr<ConfigDataService> service_;
  std::unique_ptr<http::Server> http_;
  std::uint16_t port_ = 0;
};

}  // namespace ferrum::metadata
