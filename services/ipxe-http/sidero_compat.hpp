#pragma once
// What Sidero served on its one port (8081: iPXE, /configdata, the agent API and SideroLink's
// Provision API, all from sidero-controller-manager) that Ferrum serves from separate daemons.
// Sidero's docs tell operators to write `talos.config=http://$API_ENDPOINT:$API_PORT/
// configdata?uuid=` into Environments (sidero website/content/v0.6/Guides/first-cluster.md;
// Overview/installation.md: "TCP port 8081 which provides combined iPXE, metadata and gRPC
// service"), so Environments applied verbatim point at ferrum-ipxe-http's port. Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferrum::ipxe {

// Where GET /configdata?<query> on ferrum-ipxe-http is sent: ferrum-metadata's
// http://<metadata_endpoint>/configdata?<query>, the query byte for byte (ferrum-metadata
// judges it). A 307 keeps the method; Talos' config download follows it (pkg/download/
// download.go uses a net/http Client without CheckRedirect: up to 10 redirects), and a
// temporary redirect is never cached, so moving ferrum-metadata needs no node to forget one.
// nullopt when the query holds bytes a Location header cannot carry (the HTTP parser already
// refuses most; this is the last check).
std::optional<std::string> configdata_redirect(std::string_view metadata_endpoint,
                                               std::string_view raw_query);

// The siderolink.api value rewritten to ferrum-linkd's Provision API when it names Sidero's
// combined port on this host: its host is `api_host` (ferrum-ipxe-http's --api-endpoint, case
// blind, brackets ignored) and its port `api_port`, over plain gRPC (no scheme or grpc://, as
// Talos' internal/pkg/endpoint/endpoint.go reads it: a value without "<letters>://" is
// grpc://). The scheme as written, the path and the query (jointoken=, grpc_tunnel=) are kept.
// nullopt: leave the value as it is.
std::optional<std::string> rewrite_sidero_link_api(std::string_view value,
                                                   std::string_view api_host,
                                                   std::uint16_t api_port,
                                                   std::string_view link_api_endpoint);

}  // namespace ferrum::ipxe
