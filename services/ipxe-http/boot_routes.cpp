#include "boot_routes.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "ipxe_script.hpp"
#include "sidero_compat.hpp"

namespace ferrum::ipxe {

namespace fs = std::filesystem;

http::Response file_response(const http::Request& req, const OpenAsset& file,
                           std::string content_type) {
  http::Response r;
  std::string last_modified = http_date(file.mtime);
  r.headers = {{"Content-Type", std::move(content_type)},
               {"ETag", file.etag},
               {"Last-Modified", last_modified},
               {"Accept-Ranges", "bytes"}};
  auto inm = req.header("if-none-match");
  bool not_modified = !inm.empty() ? (inm == file.etag || inm == "*")
                                   : (!req.header("if-modified-since").empty() &&
                                      req.header("if-modified-since") == last_modified);
  if (not_modified) {
    ::close(file.fd);
    r.status = 304;
    return r;
  }
  ByteRange range;
  RangeResult rr = RangeResult::kNone;
  auto range_header = req.header("range");
  auto if_range = req.header("if-range");
  if (!range_header.empty() &&
      (if_range.empty() || if_range == file.etag || if_range == last_modified)) {
    rr = parse_range(range_header, file.size, range);
  }
  if (rr == RangeResult::kUnsatisfiable) {
    ::close(file.fd);
    r.status = 416;
    r.headers.emplace_back("Content-Range", "bytes */" + std::to_string(file.size));
    return r;
  }
  if (rr == RangeResult::kRange) {
    r.status = 206;
    r.headers.emplace_back("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                                std::to_string(range.first + range.length - 1) +
                                                "/" + std::to_string(file.size));
    r.file = http::FileBody{file.fd, range.first, range.length};
  } else {
    r.file = http::FileBody{file.fd, 0, file.size};
  }
  return r;
}

BootRoutes::BootRoutes(std::string boot_script, std::string tftp_root, BootCaches caches,
                       const AssetCache& assets, DecisionSettings settings,
                       metrics::Registry& registry, log::Logger log,
                       std::size_t decision_cache_entries)
    : boot_script_(std::move(boot_script)),
      caches_(caches),
      assets_(assets),
      settings_(std::move(settings)),
      decisions_(decision_cache_entries),
      registry_(registry),
      requests_(registry.counter("ferrum_ipxe_http_requests_total",
                                 "HTTP requests by route and decision (for /ipxe: agent, "
                                 "environment, disk, 404, 412, 400, 500; else the status code).",
                                 {"route", "decision"})),
      env_bytes_(registry
                     .counter("ferrum_ipxe_http_asset_bytes_served_total",
                              "Body bytes sent for /env/ and /tftp/ files.", {"route"})
                     .with({"env"})),
      tftp_bytes_(registry
                      .counter("ferrum_ipxe_http_asset_bytes_served_total",
                               "Body bytes sent for /env/ and /tftp/ files.", {"route"})
                      .with({"tftp"})),
      log_(std::move(log)) {
  std::error_code ec;
  auto canon = fs::weakly_canonical(tftp_root, ec);
  tftp_root_ = ec ? tftp_root : canon.string();
  for (int o = 0; o <= static_cast<int>(Outcome::kInvalid); ++o) {
    ipxe_counts_[static_cast<std::size_t>(o)] =
        &requests_.with({"ipxe", std::string(outcome_label(static_cast<Outcome>(o)))});
  }
  ipxe_counts_[6] = &requests_.with({"ipxe", "400"});
}

http::Response BootRoutes::count(std::string_view route, std::string_view decision, http::Response r) {
  requests_.with({std::string(route), std::string(decision)}).inc();
  return r;
}

http::Response BootRoutes::handle(const http::Request& req) {
  const std::string& p = req.path;
  if (p == "/ipxe") return ipxe(req);
  if (p == "/boot.ipxe") {
    auto r = http::Response::text(200, boot_script_);
    return count("boot.ipxe", "200", std::move(r));
  }
  if (p == "/configdata") return configdata(req);
  if (p.rfind("/tftp/", 0) == 0) return tftp(req, std::string_view(p).substr(6));
  if (p.rfind("/env/", 0) == 0) return env(req, std::string_view(p).substr(5));
  return count("other", "404", http::Response::text(404, "no route " + p.substr(0, 128) + "\n"));
}

http::Response BootRoutes::ipxe(const http::Request& req) {
  auto q = parse_boot_query(req.query);
  if (!q) {
    log_.warn("bad boot request", {{"error", q.error().message}});
    ipxe_counts_[6]->inc();
    return http::Response::text(400, "bad query parameter " + q.error().message + "\n");
  }
  // The stamp is read before deciding: a change while deciding leaves the entry stale, never
  // a stale decision under a current stamp.
  std::string key = DecisionCache::key(*q);
  DecisionCache::Stamp stamp = DecisionCache::stamp(caches_, assets_);
  std::shared_ptr<const BootDecision> d = decisions_.find(key, stamp);
  if (!d) {
    d = std::make_shared<const BootDecision>(decide(*q, caches_, assets_, settings_));
    decisions_.store(key, stamp, d);
  }
  // Fields are built only when the line is written: this is the hot path.
  if (log_.enabled(log::Level::kInfo)) {
    log_.info("boot decision", {{"server", q->uuid},
                                {"mac", q->mac},
                                {"arch", q->arch},
                                {"decision", std::string(outcome_label(d->outcome))},
                                {"environment", d->environment},
                                {"status", d->http_status},
                                {"reason", d->reason}});
  }
  http::Response r;
  r.status = d->http_status;
  r.headers = {{"Content-Type", "text/plain; charset=utf-8"}, {"Cache-Control", "no-store"}};
  r.shared_body = std::shared_ptr<const std::string>(d, &d->body);  // shares the decision
  ipxe_counts_[static_cast<std::size_t>(d->outcome)]->inc();
  return r;
}

http::Response BootRoutes::configdata(const http::Request& req) {
  if (settings_.metadata_endpoint.empty()) {
    return count("configdata", "404",
                 http::Response::text(404, "no ferrum-metadata endpoint (--metadata-endpoint)\n"));
  }
  auto to = configdata_redirect(settings_.metadata_endpoint, req.query);
  if (!to) {
    return count("configdata", "400",
                 http::Response::text(400, "query has bytes a redirect cannot carry\n"));
  }
  log_.info("configdata redirected to ferrum-metadata", {{"location", *to}});
  auto r = http::Response::text(307, "ferrum-metadata serves machine configs: " + *to + "\n");
  r.headers.emplace_back("Location", *to);
  r.headers.emplace_back("Cache-Control", "no-store");
  return count("configdata", "307", std::move(r));
}

http::Response BootRoutes::tftp(const http::Request& req, std::string_view file) {
  // Resolve under the root and refuse anything that lands outside it (.., symlinks out).
  if (file.empty() || file.find('\0') != std::string_view::npos) {
    return count("tftp", "404", http::Response::text(404, "no such file\n"));
  }
  std::error_code ec;
  fs::path full = fs::weakly_canonical(fs::path(tftp_root_) / fs::path(file).relative_path(), ec);
  std::string fs_path = full.string();
  if (ec || fs_path.size() <= tftp_root_.size() ||
      fs_path.compare(0, tftp_root_.size(), tftp_root_) != 0 || fs_path[tftp_root_.size()] != '/') {
    return count("tftp", "404", http::Response::text(404, "no such file\n"));
  }
  int fd = ::open(fs_path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat sb {};
  if (fd < 0 || ::fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    if (fd >= 0) ::close(fd);
    return count("tftp", "404", http::Response::text(404, "no such file\n"));
  }
  OpenAsset a{fd, static_cast<std::uint64_t>(sb.st_size),
              "\"" + std::to_string(sb.st_size) + "-" + std::to_string(sb.st_mtime) + "\"",
              sb.st_mtime};
  auto r = file_response(req, a, "application/octet-stream");
  r.on_sent = [c = &tftp_bytes_](std::uint64_t n) { c->inc(static_cast<double>(n)); };
  return count("tftp", std::to_string(r.status), std::move(r));
}

http::Response BootRoutes::env(const http::Request& req, std::string_view rest) {
  auto slash = rest.find('/');
  if (slash == std::string_view::npos)
    return count("env", "404", http::Response::text(404, "no such asset\n"));
  std::string name(rest.substr(0, slash));
  std::string asset(rest.substr(slash + 1));
  if (asset != kKernelAsset && asset != kInitrdAsset) {
    return count("env", "404",
                 http::Response::text(404, "no such asset " + asset.substr(0, 64) + "\n"));
  }
  auto file = assets_.open(name, asset);
  if (!file) {
    if (name.rfind("agent-", 0) == 0) {
      auto why = assets_.agent_unready(name.substr(6));
      return count("env", "404", http::Response::text(404, "agent environment: " + why + "\n"));
    }
    auto obj = caches_.environments.get(name);
    if (!obj) {
      return count(
          "env", "404",
          http::Response::text(404, "environment \"" + name.substr(0, 64) + "\" not found\n"));
    }
    auto why = assets_.environment_unready(*obj);
    return count(
        "env", "412",
        http::Response::text(412, "environment \"" + name + "\" is not ready: " + why + "\n"));
  }
  auto r = file_response(req, *file, "application/octet-stream");
  r.on_sent = [c = &env_bytes_](std::uint64_t n) { c->inc(static_cast<double>(n)); };
  return count("env", std::to_string(r.status), std::move(r));
}

}  // namespace ferrum::ipxe
