#pragma once
// siderolink.api= (or SideroLinkConfig apiUrl) as Talos reads it. Pure.
//
// Upstream (siderolabs/talos v1.8): internal/pkg/endpoint/endpoint.go Parse — no scheme means
// grpc://; grpc:// is insecure; https:// without a port gets :443; query parameter jointoken.
// internal/app/machined/pkg/controllers/siderolink/config.go takes Host, JoinToken, Insecure,
// and Tunnel from grpc_tunnel.

#include <optional>
#include <string>
#include <string_view>

namespace ferrum::talos_node {

struct SideroLinkEndpoint {
  std::string host;  // host:port as gRPC dials it
  std::string join_token;
  bool insecure = false;
  bool tunnel = false;  // grpc_tunnel=true|y (config.go): WireGuard over gRPC
};

std::optional<SideroLinkEndpoint> parse_siderolink_endpoint(std::string_view param);

}  // namespace ferrum::talos_node
