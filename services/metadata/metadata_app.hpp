#pragma once
// ferrum-metadata assembled: API client, informer caches, the /configdata service and its
// HTTP listener. main() only parses flags, builds this, waits for SIGTERM and stops it.

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "configdata_service.hpp"
#include "ferrum/daemon.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/kube/informer.hpp"
#include "http_server.hpp"
#include "settings.hpp"

namespace ferrum::metadata {

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
  std::unique_ptr<HttpServer> http_;
  std::vector<std::jthread> threads_;
};

}  // namespace ferrum::metadata
