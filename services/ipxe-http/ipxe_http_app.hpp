#pragma once
// ferrum-ipxe-http assembled: informers for Servers, ServerBindings, ServerClasses and
// Environments (and ferrum-linkd's installation Secret, for the link server address); the
// asset controller (downloads on every Environment change; conditions, the TalosKernelArgs
// one included, written only while holding the ferrum-ipxe-http-assets Lease, with a Warning
// Event when an Environment's args turn unbootable); the HTTP server.
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
#include "ferrum/http/server.hpp"
#include "ferrum/kube/client.hpp"
#include "ferrum/kube/controller.hpp"
#include "ferrum/kube/event_recorder.hpp"
#include "ferrum/kube/informer.hpp"
#include "ferrum/kube/leader_election.hpp"
#include "ferrum/siderolink_secret.hpp"
#include "settings.hpp"

namespace ferrum::ipxe {

// Without write progress for this long a response is abandoned (a stalled download).
inline constexpr std::chrono::seconds kWriteTimeout{60};

// The HTTP server's settings from the flags.
http::ServerSettings http_settings(const Settings& s, metrics::Registry& registry);
// GET/HEAD of every path answered by `routes`; other methods 405.
http::Handler boot_handler(BootRoutes& routes);

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
  // ferrum-linkd's installation Secret; null when --link-server-address overrides it.
  std::unique_ptr<kube::Informer> link_secret_;
  std::unique_ptr<siderolink::InstallationAddress> link_address_;
  kube::EventRecorder events_;
  AssetCache assets_;
  std::unique_ptr<BootRoutes> routes_;
  std::unique_ptr<http::Server> http_;
  std::unique_ptr<kube::Controller> controller_;
  std::unique_ptr<kube::LeaderElector> elector_;
  std::vector<std::jthread> threads_;
};

}  // namespace ferrum::ipxe
