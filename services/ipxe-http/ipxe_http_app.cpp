#include "ipxe_http_app.hpp"

#include <unistd.h>

#include <random>

#include "asset_status.hpp"
#include "ferrum/http/router.hpp"
#include "ferrum/kube/typed.hpp"
#include "ferrum/model/json_fields.hpp"
#include "ferrum/model/kinds.hpp"
#include "ipxe_script.hpp"

namespace ferrum::ipxe {

namespace {

std::unique_ptr<kube::Informer> make_informer(const model::ResourceKind& kind, kube::Client& c,
                                              Clock& clock, log::Logger log) {
  kube::InformerSettings s;
  s.resource = kube::resource_of(kind);
  return std::make_unique<kube::Informer>(std::move(s), c, clock,
                                          log.child(std::string(kind.plural)));
}

// Whether the cached Environment already carries this condition (same status and message).
bool had_condition(const kube::Json& env, const nlohmann::json& cond) {
  const auto* conds = model::find_field(env, {"status", "conditions"});
  if (conds == nullptr || !conds->is_array()) return false;
  for (const auto& c : *conds) {
    if (c.is_object() && c.value("type", "") == cond.value("type", "") &&
        c.value("status", "") == cond.value("status", "") &&
        c.value("message", "") == cond.value("message", "")) {
      return true;
    }
  }
  return false;
}

std::string identity() {
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  std::random_device rd;
  return std::string(host) + "_" + std::to_string(rd() % 1000000);
}

}  // namespace

http::ServerSettings http_settings(const Settings& s, metrics::Registry& registry) {
  http::ServerSettings hs;
  hs.listen = s.listen;
  hs.threads = static_cast<int>(s.workers);
  hs.server_header = "ferrum-ipxe-http";
  hs.registry = &registry;
  hs.metrics_prefix = "ferrum_ipxe_http";
  hs.limits.max_connections = static_cast<std::size_t>(s.max_connections);
  hs.limits.max_connections_per_client = static_cast<std::size_t>(s.max_connections_per_client);
  hs.limits.head_timeout = s.header_timeout;
  hs.limits.idle_timeout = s.idle_timeout;
  hs.limits.write_timeout = kWriteTimeout;
  hs.limits.max_head_bytes = 8 * 1024;
  hs.limits.max_body_bytes = 0;  // nothing here takes a body
  return hs;
}

http::Handler boot_handler(BootRoutes& routes) {
  http::Router router;
  router.prefix({"GET", "HEAD"}, "/", [&routes](http::Request& req, http::Exchange& ex) {
    ex.respond(routes.handle(req));
  });
  return router;
}

IpxeHttpApp::IpxeHttpApp(Settings settings, kube::Client& client, Clock& clock,
                         DaemonRuntime& runtime)
    : settings_(std::move(settings)),
      runtime_(runtime),
      clock_(clock),
      log_(runtime.logger("ipxe")),
      client_(client),
      servers_(make_informer(model::kServer, client_, clock_, log_)),
      bindings_(make_informer(model::kServerBinding, client_, clock_, log_)),
      classes_(make_informer(model::kServerClass, client_, clock_, log_)),
      environments_(make_informer(model::kEnvironment, client_, clock_, log_)),
      events_({"ferrum-ipxe-http", "", 1000, 4096, &runtime.registry()}, client_, clock_,
              runtime.logger("events")),
      assets_(
          AssetCacheSettings{settings_.asset_dir, settings_.agent_dir,
                             FetchLimits{settings_.asset_connect_timeout,
                                         settings_.asset_download_timeout, std::chrono::seconds(30),
                                         static_cast<std::uint64_t>(settings_.asset_max_bytes)},
                             static_cast<int>(settings_.asset_download_attempts),
                             std::chrono::seconds(1)},
          clock_, runtime.registry(), runtime.logger("assets")) {
  auto& reg = runtime_.registry();
  if (settings_.link_server_address.empty()) {
    // validate() checked the name.
    auto name = siderolink::parse_secret_name(settings_.link_secret).value();
    link_secret_ = std::make_unique<kube::Informer>(siderolink::installation_secret_watch(name),
                                                    client_, clock_, log_.child("link-secret"));
    link_address_ = std::make_unique<siderolink::InstallationAddress>(&link_secret_->store(), name);
  }
  BootCaches caches{servers_->store(), bindings_->store(), classes_->store(),
                    environments_->store()};
  if (link_secret_) {
    caches.link_secrets = &link_secret_->store();
    caches.link_address = link_address_.get();
  }
  routes_ = std::make_unique<BootRoutes>(
      render_boot_script(boot_endpoint(settings_)), settings_.tftp_root, caches, assets_,
      decision_settings(settings_), reg, runtime_.logger("http"),
      static_cast<std::size_t>(settings_.decision_cache_entries));
  http_ = std::make_unique<http::Server>(http_settings(settings_, runtime_.registry()),
                                         boot_handler(*routes_), runtime_.logger("http"));
  // PXE clients refused at accept look like a dead server to them: say so where probes look.
  runtime_.admin().add_readiness_check("http", [this] { return http_->saturation(); });

  kube::ControllerSettings cs;
  cs.name = "environment-assets";
  cs.workers = static_cast<int>(settings_.asset_download_workers);
  cs.registry = &reg;
  controller_ = std::make_unique<kube::Controller>(
      cs, [this](const std::string& key, std::stop_token st) { return reconcile(key, st); }, clock_,
      runtime_.logger("assets"),
      std::make_unique<kube::ExponentialRateLimiter>(std::chrono::seconds(2),
                                                     std::chrono::minutes(5)));
  kube::EventHandlers h;
  h.on_add = [this](const kube::Json& o) { controller_->enqueue(kube::object_key(o)); };
  h.on_update = [this](const kube::Json& old_obj, const kube::Json& new_obj) {
    // Status writes (ours) come back as updates; only spec changes matter for the assets.
    if (old_obj.value("spec", kube::Json()) != new_obj.value("spec", kube::Json()) ||
        old_obj.value("status", kube::Json()) != new_obj.value("status", kube::Json())) {
      controller_->enqueue(kube::object_key(new_obj));
    }
  };
  h.on_delete = [this](const kube::Json& o) { controller_->enqueue(kube::object_key(o)); };
  environments_->add_handlers(std::move(h));

  kube::LeaderElectionSettings le;
  le.lease_namespace = settings_.lease_namespace;
  le.lease_name = "ferrum-ipxe-http-assets";
  le.identity = identity();
  le.release_on_cancel = true;
  kube::LeaderCallbacks cb;
  cb.on_started_leading = [this](std::stop_token st) {
    log_.info("leading: writing Environment conditions", {});
    // A new leader owes every Environment its conditions.
    for (const auto& key : environments_->store().keys()) controller_->enqueue(key);
    std::mutex m;
    std::condition_variable_any cv;
    std::unique_lock lock(m);
    cv.wait(lock, st, [] { return false; });
  };
  cb.on_stopped_leading = [this] { log_.info("stopped leading", {}); };
  elector_ = std::make_unique<kube::LeaderElector>(le, client_, clock_, runtime_.logger("leader"),
                                                   std::move(cb));

  reg.gauge_callback("ferrum_ipxe_http_environments_ready",
                     "Environments whose assets are verified on this replica.",
                     [this] { return static_cast<double>(assets_.ready_environments()); });
  reg.gauge_callback("ferrum_ipxe_http_environments_not_ready",
                     "Environments whose assets are not (yet) verified on this replica.",
                     [this] { return static_cast<double>(assets_.unready_environments()); });
  reg.gauge_callback("ferrum_ipxe_http_cache_synced",
                     "1 when the Server, ServerBinding, ServerClass and Environment caches synced.",
                     [this] { return synced() ? 1.0 : 0.0; });
  reg.gauge_callback("ferrum_ipxe_http_assets_leader",
                     "1 while this replica holds the ferrum-ipxe-http-assets Lease.",
                     [this] { return elector_->is_leader() ? 1.0 : 0.0; });
}

IpxeHttpApp::~IpxeHttpApp() = default;

bool IpxeHttpApp::synced() const {
  return servers_->has_synced() && bindings_->has_synced() && classes_->has_synced() &&
         environments_->has_synced() && (!link_secret_ || link_secret_->has_synced());
}

Expected<kube::ReconcileResult, kube::ReconcileError> IpxeHttpApp::reconcile(const std::string& key,
                                                                             std::stop_token stop) {
  auto obj = environments_->store().get(key);
  if (!obj) {
    assets_.forget(key);
    return kube::ReconcileResult{};
  }
  model::Environment env(*obj);
  auto states = assets_.sync(env, stop);
  bool all_ready = true;
  for (const auto& s : states) all_ready = all_ready && s.ready;
  if (elector_->is_leader()) {
    auto args = kernel_args_condition(*obj, decision_settings(settings_));
    auto w = write_asset_conditions(client_, key, states, args);
    if (!w) {
      return unexpected(kube::ReconcileError{"writing conditions of Environment " + key + ": " +
                                             w.error().describe()});
    }
    if (*w == WriteOutcome::kWritten) {
      log_.info("environment conditions written", {{"environment", key}, {"ready", all_ready}});
      // One Event per change into an unbootable state (the condition stays while it lasts).
      if (args.is_object() && args.value("status", "") == "False" && !had_condition(*obj, args)) {
        log_.warn("environment kernel args stop Talos at boot",
                  {{"environment", key}, {"message", args.value("message", "")}});
        events_.warning(*obj, args.value("reason", ""), args.value("message", ""));
      }
    }
  }
  if (!all_ready) {
    return unexpected(kube::ReconcileError{"environment " + key + " not ready"});
  }
  return kube::ReconcileResult{};
}

void IpxeHttpApp::add_parts(RunnableGroup& parts) {
  runtime_.admin().add_readiness_check("caches", [this] {
    return synced() ? std::string() : std::string("informer caches not synced");
  });
  std::pair<const char*, kube::Informer*> informers[] = {{"servers", servers_.get()},
                                                         {"serverbindings", bindings_.get()},
                                                         {"serverclasses", classes_.get()},
                                                         {"environments", environments_.get()},
                                                         {"link-secret", link_secret_.get()}};
  for (auto [name, inf] : informers) {
    if (inf == nullptr) continue;
    parts.add_thread(std::string("informer ") + name, [inf](std::stop_token st) { inf->run(st); });
  }
  parts.add_thread("asset-controller", [this](std::stop_token st) {
    environments_->wait_for_sync(st);
    controller_->run(st);
  });
  parts.add_thread("assets-lease", [this](std::stop_token st) {
    // client-go's Run returns when leadership is lost; campaign again until stopped.
    while (!st.stop_requested()) {
      elector_->run(st);
      clock_.sleep_for(std::chrono::seconds(1), st);
    }
  });
  parts.add("agents",
            [this] {
              assets_.refresh_agents();
              return std::string();
            },
            {});
  parts.add_thread("agent-refresh", [this](std::stop_token st) {
    // New agent builds dropped into --agent-dir are picked up without a restart.
    while (clock_.sleep_for(std::chrono::seconds(10), st)) assets_.refresh_agents();
  });
  parts.add(
      "http",
      [this]() -> std::string {
        auto port = http_->start();
        if (!port) return port.error();
        port_ = *port;
        log_.info("serving", {{"listen", settings_.listen},
                              {"port", *port},
                              {"admin_port", runtime_.admin().port()},
                              {"boot_endpoint", boot_endpoint(settings_)}});
        return {};
      },
      [this](Runnable::Deadline deadline) { http_->stop(time_left(deadline)); });
}

}  // namespace ferrum::ipxe
