#include "metadata_app.hpp"

#include <algorithm>

#include "ferrum/kube/config.hpp"
#include "ferrum/kube/typed.hpp"
#include "ferrum/model/kinds.hpp"
#include "ferrum/siderolink_secret.hpp"

namespace ferrum::metadata {

http::ServerSettings http_settings(const Settings& s, metrics::Registry& registry) {
  http::ServerSettings hs;
  hs.listen = s.listen;
  hs.threads = s.threads > 0 ? static_cast<int>(s.threads)
                             : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  hs.server_header = "ferrum-metadata";
  hs.registry = &registry;
  hs.metrics_prefix = "ferrum_metadata";
  hs.limits.max_connections = static_cast<std::size_t>(s.max_connections);
  hs.limits.max_connections_per_client = static_cast<std::size_t>(s.max_connections_per_client);
  hs.limits.head_timeout = s.read_timeout;
  hs.limits.idle_timeout = s.read_timeout;
  hs.limits.write_timeout = s.write_timeout;
  hs.limits.max_head_bytes = 8 * 1024;
  hs.limits.max_body_bytes = 0;  // GET only
  return hs;
}

http::Handler configdata_routes(ConfigDataService& service) {
  http::Router router;
  router.not_found_text("not found; this server answers GET /configdata?uuid=<server uuid>\n");
  router.get("/configdata", [&service](http::Request& req, http::Exchange& ex) {
    auto answer = service.answer(req.query);
    http::Response r;
    r.status = static_cast<int>(answer.status);
    r.headers.emplace_back("Content-Type", std::string(answer.content_type));
    r.shared_body = std::move(answer.body);
    ex.respond(std::move(r));
  });
  return router;
}

namespace {

kube::InformerSettings watch_of(const model::ResourceKind& kind, std::string ns = {},
                                std::string label_selector = {}, std::string field_selector = {}) {
  kube::InformerSettings s;
  s.resource = kube::resource_of(kind);
  s.ns = std::move(ns);
  s.label_selector = std::move(label_selector);
  s.field_selector = std::move(field_selector);
  return s;
}

}  // namespace

MetadataApp::~MetadataApp() = default;

kube::Informer& MetadataApp::add_informer(const std::string& what, kube::InformerSettings s) {
  auto inf = std::make_unique<kube::Informer>(std::move(s), client_, clock_,
                                              runtime_.logger("informer." + what));
  auto& ref = *inf;
  informers_.emplace_back(what, std::move(inf));
  return ref;
}

std::string MetadataApp::not_synced() const {
  std::string out;
  for (const auto& [what, inf] : informers_) {
    if (!inf->has_synced()) out += (out.empty() ? "" : ", ") + what;
  }
  return out.empty() ? out : "caches not loaded yet: " + out;
}

MetadataApp::MetadataApp(Settings settings, kube::Client& client,
                         std::unique_ptr<kube::Reader> secret_reader, Clock& clock,
                         DaemonRuntime& runtime)
    : settings_(std::move(settings)),
      runtime_(runtime),
      clock_(clock),
      log_(runtime.logger("metadata")),
      client_(client),
      secret_client_(std::move(secret_reader)) {
  InputStores stores;
  stores.bindings = &add_informer("serverbindings", watch_of(model::kServerBinding)).store();
  stores.metal_machines = &add_informer("metalmachines", watch_of(model::kMetalMachine)).store();
  stores.machines = &add_informer("machines", watch_of(model::kMachine)).store();
  stores.servers = &add_informer("servers", watch_of(model::kServer)).store();
  stores.server_classes = &add_informer("serverclasses", watch_of(model::kServerClass)).store();
  if (!settings_.bootstrap_secret_selector.empty()) {
    stores.bootstrap_secrets =
        &add_informer("bootstrap-secrets",
                      watch_of(model::kSecret, "", settings_.bootstrap_secret_selector))
             .store();
  }

  std::string err;  // validate() checked --link-api-endpoint and --link-secret
  std::string api_url = link_api_url(settings_.link_api_endpoint, &err);
  auto link_secret = siderolink::parse_secret_name(settings_.link_secret).value();
  const kube::ObjectStore* link_store = nullptr;
  if (!api_url.empty()) {
    link_store =
        &add_informer("link-secret", siderolink::installation_secret_watch(link_secret)).store();
  } else {
    log_.info("--link-api-endpoint is empty: configs carry no SideroLink documents");
  }
  link_ = std::make_unique<LinkSource>(api_url, link_store, link_secret.key(),
                                       static_cast<std::uint16_t>(settings_.link_events_port),
                                       static_cast<std::uint16_t>(settings_.link_logs_port),
                                       runtime_.logger("metadata.link"));

  auto* secrets = secret_client_.get();
  SecretFetcher fetch = [secrets](const std::string& ns, const std::string& name) {
    return secrets->get(kube::resource_of(model::kSecret), ns, name);
  };
  service_ = std::make_unique<ConfigDataService>(
      ServiceSettings{static_cast<std::size_t>(settings_.render_cache_entries),
                      static_cast<std::size_t>(settings_.parsed_cache_entries)},
      stores, std::move(fetch), *link_, [this] { return not_synced().empty(); },
      runtime_.registry(), runtime_.logger("metadata.configdata"));
  runtime_.admin().add_readiness_check("caches", [this] { return not_synced(); });
}

void MetadataApp::add_parts(RunnableGroup& parts) {
  for (auto& [what, informer] : informers_) {
    parts.add_thread("informer " + what,
                     [informer = informer.get()](std::stop_token stop) { informer->run(stop); });
  }
  parts.add(
      "http",
      [this]() -> std::string {
        auto port = start_http();
        if (!port) return port.error();
        port_ = *port;
        return {};
      },
      [this](Runnable::Deadline deadline) { http_->stop(time_left(deadline)); });
}

Expected<std::uint16_t, std::string> MetadataApp::start_http() {
  http_ = std::make_unique<http::Server>(http_settings(settings_, runtime_.registry()),
                                         configdata_routes(*service_),
                                         runtime_.logger("metadata.http"));
  runtime_.admin().add_readiness_check("http", [this] { return http_->saturation(); });
  auto port = http_->start();
  if (port) {
    log_.info("configdata listening",
              {{"listen", settings_.listen}, {"port", *port}, {"threads", settings_.threads}});
  }
  return port;
}

}  // namespace ferrum::metadata
