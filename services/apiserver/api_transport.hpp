#pragma once
// ferrum-apiserver on Ferrum's HTTP server (ferrum/http/server.hpp): the transport boundary
// only. It turns http::Requests into the ApiHandler's HttpRequests, keeps /healthz, /livez,
// /readyz and /version open and everything else behind the bearer token, answers the
// handler's (asynchronous) responses, and streams watches as chunked newline-delimited JSON
// (timeoutSeconds, else watch_timeout; bookmarks every bookmark_interval when asked for).
// The server's own refusals (413 over --max-body-bytes, 431, 400) are Kubernetes Status
// objects like every other error.

#include <chrono>

#include "api_handler.hpp"
#include "credentials.hpp"
#include "ferrum/http/server.hpp"

namespace ferrum::apiserver {

struct TransportSettings {
  std::string listen = "127.0.0.1:6443";
  int threads = 2;
  std::size_t max_body_bytes = 3 * 1024 * 1024;
  std::chrono::milliseconds request_timeout{60'000};
  std::chrono::milliseconds watch_timeout{30 * 60'000};
  std::chrono::milliseconds bookmark_interval{10'000};
  std::chrono::milliseconds handshake_timeout{10'000};
  std::size_t max_connections = 1024;
  std::size_t max_handshakes_per_client = 64;
  std::size_t reserved_connections = 128;
};

http::ServerSettings api_server_settings(const TransportSettings& t, const Credentials& creds,
                                         metrics::Registry& registry);
http::Handler api_routes(ApiHandler& handler, const TransportSettings& t);

}  // namespace ferrum::apiserver
