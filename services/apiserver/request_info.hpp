#pragma once
// Parsing a Kubernetes API request target into what it addresses, as the real API server's
// RequestInfo does. Pure: no catalog lookups, no I/O.
//
//   /api/v1/namespaces/default/secrets/foo            -> core v1 secrets "foo" in "default"
//   /apis/metal.sidero.dev/v1alpha2/servers/u1/status -> servers "u1", subresource status
//   /api/v1/namespaces/kube-system                    -> namespaces "kube-system"

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "ferrum/expected.hpp"

namespace ferrum::apiserver {

struct RequestInfo {
  bool is_resource = false;
  std::string path;  // without the query
  std::string group;
  std::string version;
  std::string ns;
  std::string resource;
  std::string name;
  std::string subresource;
};

// Splits the target, percent-decoding path segments; the error says what is malformed.
Expected<RequestInfo, std::string> parse_request_target(std::string_view target);

// Query parameters, percent-decoded ('+' as space); a repeated key keeps the first value.
std::map<std::string, std::string> parse_query(std::string_view target);

std::string percent_decode(std::string_view s, bool plus_as_space);

}  // namespace ferrum::apiserver
