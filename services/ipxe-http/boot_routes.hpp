#pragma once
// The routes of ferrum-ipxe-http (DESIGN.md 4.2), as a handler from request to response:
//   /boot.ipxe                        the NIC-trying chain script
//   /ipxe?uuid=&mac=&arch=...          the boot decision (400 names a bad parameter)
//   /configdata?<query>               307 to ferrum-metadata, the query unchanged (Sidero
//                                     served it on this port; sidero_compat.hpp)
//   /tftp/<file>                      iPXE binaries from --tftp-root (never outside it)
//   /env/<name>/{vmlinuz,initramfs.xz} verified assets (412 while not verified here)
// Anything else is 404. Files are sent with sendfile, Range, ETag and Last-Modified.
// No socket here: Ferrum's HTTP server calls handle() (ipxe_http_app.cpp); tests call it
// directly.

#include <array>
#include <string>

#include "asset_cache.hpp"
#include "boot_decision.hpp"
#include "decision_cache.hpp"
#include "ferrum/log.hpp"
#include "ferrum/metrics.hpp"
#include "ferrum/http/message.hpp"
#include "http_message.hpp"

namespace ferrum::ipxe {

class BootRoutes {
 public:
  // `decision_cache_entries`: /ipxe decisions kept for reuse (decision_cache.hpp); 0: none.
  BootRoutes(std::string boot_script, std::string tftp_root, BootCaches caches,
             const AssetCache& assets, DecisionSettings settings, metrics::Registry& registry,
             log::Logger log, std::size_t decision_cache_entries = 20000);

  http::Response handle(const http::Request& req);

 private:
  http::Response ipxe(const http::Request& req);
  http::Response configdata(const http::Request& req);
  http::Response tftp(const http::Request& req, std::string_view file);
  http::Response env(const http::Request& req, std::string_view rest);
  http::Response count(std::string_view route, std::string_view decision, http::Response r);

  std::string boot_script_;
  std::string tftp_root_;  // canonical
  BootCaches caches_;
  const AssetCache& assets_;
  DecisionSettings settings_;
  DecisionCache decisions_;
  metrics::Registry& registry_;
  metrics::Family<metrics::Counter>& requests_;
  // /ipxe is the hot path: its counters are looked up once (by Outcome, then 400 last).
  std::array<metrics::Counter*, 7> ipxe_counts_{};
  metrics::Counter& env_bytes_;
  metrics::Counter& tftp_bytes_;
  log::Logger log_;
};

// A file response honouring If-None-Match, If-Modified-Since, If-Range and Range; takes
// ownership of `file.fd`.
http::Response file_response(const http::Request& req, const OpenAsset& file, std::string content_type);

}  // namespace ferrum::ipxe
