#pragma once
// ferrum-ipxe-http assembled: informers for Servers, ServerBindings, ServerClasses and
// Environments (and ferrum-linkd's installation Secret, for the link server address); the
// asset controller (downloads on every Environment change; conditions, the TalosKernelArgs
// one included, written only while holding the ferrum-ipxe-http-assets Lease, with a Warning
// Event when an Environment's args turn unbootable); the HTTP server.
//
// Parts, in start order: the informers, the asset controller (after the Environment cache
// synced), the Lease campaign, the agent directory refresh, and last the HTTP server, so a
// taken --listen port stops everything started before it. Stopping runs in reverse: HTTP
// stops accepting and drains until the deadline, then the controllers and informers stop.
// Until the caches synced /readyz answers 503, and /ipxe answers from whatever is cached.
// main() (through daemon_main) builds the API server client and the clock; tests pass their
// own.

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

class IpxeHttpApp final : public DaemonApp {
 public:
  IpxeHttpApp(Settings settings, kube::Client& client, Clock& clock, DaemonRuntime& runtime);
  ~IpxeHttpApp() override;

  void add_parts(RunnableGroup& parts) override;
  bool synced() const;
  // The HTTP port (after start).
  std::uint16_t port() const { return port_; }

 private:
  Expected<kube::ReconcileResult, kube::ReconcileError> reconcile(const std::string& key,
                                                                  std::stop_token stop);

  Settings settings_;
  DaemonRuntime& runtime_;
  Clock& clock_;
  log::Logger log_;
  kube::Client& client_;
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
  std::uint16_t port_ = 0;
};

}  // namespace ferrum::ipxe
