#pragma once
// ferrum-metadata assembled: API client, informer caches, the /configdata service and its
// route on Ferrum's HTTP server (ferrum/http/server.hpp). main() only parses flags, builds this,
// waits for SIGTERM and stops it.

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

class MetadataApp {
 public:
  MetadataApp(Settings settings, DaemonRuntime& runtime);
  ~MetadataApp();

  // Connects the caches and starts listening; the error names the flag or the cause.
  Expected<std::uint16_t, std::string> start();
  void stop(std::chrono::milliseconds drain);

  // Empty when every cache has loaded, else which have not.
  std::string not_synced() const;

 private:
  kube::Informer& add_informer(const std::string& what, kube::InformerSettings s);

  Settings settings_;
  DaemonRuntime& runtime_;
  log::Logger log_;
  std::unique_ptr<kube::RestClient> client_;
  std::unique_ptr<kube::RestClient> secret_client_;
  std::vector<std::pair<std::string, std::unique_ptr<kube::Informer>>> informers_;
  std::unique_ptr<LinkSource> link_;
  std::unique_ptr<ConfigDataService> service_;
  std::unique_ptr<http::Server> http_;
  std::vector<std::jthread> threads_;
};

}  // namespace ferrum::metadata
