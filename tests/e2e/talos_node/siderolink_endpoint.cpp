#include "siderolink_endpoint.hpp"

#include <cctype>

#include "ferrum/percent_encoding.hpp"

namespace ferrum::talos_node {

std::optional<SideroLinkEndpoint> parse_siderolink_endpoint(std::string_view param) {
  std::string s(param);
  // endpoint.go's urlSchemeMatcher: a leading "[a-z]+://".
  auto sep = s.find("://");
  bool has_scheme = sep != std::string::npos && sep > 0;
  for (std::size_t i = 0; has_scheme && i < sep; ++i) {
    has_scheme = std::islower(static_cast<unsigned char>(s[i])) != 0;
  }
  if (!has_scheme) s = "grpc://" + s;
  sep = s.find("://");
  std::string scheme = s.substr(0, sep);
  std::string rest = s.substr(sep + 3);
  auto end = rest.find_first_of("/?#");
  SideroLinkEndpoint ep;
  ep.host = rest.substr(0, end);
  if (ep.host.empty()) return std::nullopt;
  ep.insecure = scheme == "grpc";
  bool has_port = false;
  if (ep.host.front() == '[') {
    auto close = ep.host.find(']');
    has_port = close != std::string::npos && close + 1 < ep.host.size();
  } else {
    has_port = ep.host.find(':') != std::string::npos;
  }
  if (!has_port && scheme == "https") ep.host += ":443";
  auto q = rest.find('?');
  if (q != std::string::npos) {
    std::string query = rest.substr(q + 1, rest.find('#', q) - q - 1);
    // url.Values.Get: the first value of each key.
    bool token_seen = false, tunnel_seen = false;
    std::size_t pos = 0;
    while (pos <= query.size()) {
      auto amp = query.find('&', pos);
      std::string pair =
          query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
      auto eq = pair.find('=');
      auto key = pair.substr(0, eq);
      auto value = percent_decode(eq == std::string::npos ? "" : pair.substr(eq + 1));
      if (key == "jointoken" && !token_seen) {
        token_seen = true;
        if (value) ep.join_token = *value;
      } else if (key == "grpc_tunnel" && !tunnel_seen) {
        tunnel_seen = true;
        ep.tunnel = value && (*value == "true" || *value == "y");
      }
      if (amp == std::string::npos) break;
      pos = amp + 1;
    }
  }
  return ep;
}

}  // namespace ferrum::talos_node
