#include "ferrum/admin_server.hpp"

#include "ferrum/http/router.hpp"

namespace ferrum::admin {

AdminServer::AdminServer(AdminSettings settings, metrics::Registry& registry, log::Logger log)
    : settings_(std::move(settings)), registry_(registry), log_(std::move(log)) {}

AdminServer::~AdminServer() { stop(std::chrono::milliseconds(0)); }

void AdminServer::add_readiness_check(std::string name, ReadinessCheck check) {
  std::lock_guard lock(checks_mu_);
  checks_.emplace_back(std::move(name), std::move(check));
}

std::string AdminServer::readiness() const {
  std::lock_guard lock(checks_mu_);
  std::string out;
  for (const auto& [name, check] : checks_) {
    if (auto why = check(); !why.empty()) out += name + ": " + why + "\n";
  }
  return out;
}

Expected<std::uint16_t, std::string> AdminServer::start() {
  http::Router router;
  router.not_found_text("not found; try /metrics, /healthz or /readyz\n");
  router.get("/metrics", http::respond_with([this](const http::Request&) {
               auto r = http::Response::text(200, registry_.expose());
               r.headers.front().second = "text/plain; version=0.0.4; charset=utf-8";
               return r;
             }));
  router.get("/healthz", http::respond_with([](const http::Request&) {
               return http::Response::text(200, "ok\n");
             }));
  router.get("/readyz", http::respond_with([this](const http::Request&) {
               auto why = readiness();
               return why.empty() ? http::Response::text(200, "ok\n")
                                  : http::Response::text(503, "not ready:\n" + why);
             }));
  http::ServerSettings s;
  s.listen = settings_.listen;
  s.listen_flag = "admin-listen";
  s.threads = 1;
  s.server_header = "ferrum";
  s.limits.max_connections = settings_.max_connections;
  s.limits.head_timeout = settings_.read_timeout;
  s.limits.idle_timeout = settings_.read_timeout;
  s.limits.write_timeout = settings_.read_timeout;
  s.limits.max_head_bytes = 8 * 1024;  // admin requests need no large headers
  s.limits.max_body_bytes = 0;
  server_ = std::make_unique<http::Server>(std::move(s), std::move(router), log_);
  auto port = server_->start();
  if (!port) {
    server_.reset();
    return port;
  }
  port_ = *port;
  log_.info("admin server listening", {{"listen", settings_.listen}, {"port", port_}});
  return port_;
}

void AdminServer::stop(std::chrono::milliseconds drain) {
  if (!server_) return;
  server_->stop(drain);
  server_.reset();
}

}  // namespace ferrum::admin
