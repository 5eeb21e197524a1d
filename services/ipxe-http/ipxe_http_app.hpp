#pragma once
// ferrum-ipxe-http assembled: informers for Servers, ServerBindings, ServerClasses and
// Environments; the asset controller (downloads on every Environment change, conditions
// written only while holding the ferrum-ipxe-http-assets Lease); the HTTP server.
//
// Contract: start() returns once the HTTP server listens (requests before the caches synced
// get 503 from readyz, and /ipxe answers from whatever is cached); stop() stops accepting,
// drains HTTP for `drain`, then stops the controllers and informers.

#include <memory>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "asset_cache.hpp"
#include "boot_routes.hpp"
#include "ferrum/daemon.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/kube/controller.hpp"
#include "ferrum/kube/informer.hpp"
#include "ferrum/kube/leader_election.hpp"
#include "http_server.hpp"
#include "settings.hpp"

namespace ferrum::ipxe {

class IpxeHttpApp {
 public:
  IpxeHttpApp(Settings settings, kube::RestConfig config, DaemonRuntime& runtime);
  ~IpxeHttpApp();

  Expected<std::uint16_t, std::string> start();
  void stop(std::chrono::milliseconds drain);
  bool synced() const;

 private:
  Expected<kube::ReconcileResult, kube::ReconcileError> reconcile(const std::string& key,
                                                                  std::stop_token stop);

  Settings settings_;
  DaemonRuntime& runtime_;
  log::Logger log_;
  kube::RestClient client_;
  std::unique_ptr<kube::Informer> servers_, bindings_, classes_, environments_;
  AssetCache assets_;
  std::unique_ptr<BootRoutes> routes_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<kube::Controller> controller_;
  std::unique_ptr<kube::LeaderElector> elector_;
  std::vector<std::jthread> threads_;
};

}  // namespace ferrum::ipxe
