#include "request_info.hpp"

#include <vector>

#include "ferrum/percent_encoding.hpp"

namespace ferrum::apiserver {

std::string percent_decode(std::string_view s, bool plus_as_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_digit_value(s[i + 1]) >= 0 &&
        hex_digit_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit_value(s[i + 1]) * 16 + hex_digit_value(s[i + 2]));
      i += 2;
    } else if (plus_as_space && s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view target) {
  std::map<std::string, std::string> out;
  auto q = target.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string k = percent_decode(pair.substr(0, eq), true);
    std::string v = eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1), true);
    out.emplace(std::move(k), std::move(v));
  }
  return out;
}

Expected<RequestInfo, std::string> parse_request_target(std::string_view target) {
  RequestInfo info;
  auto q = target.find('?');
  std::string_view path = target.substr(0, q);
  info.path = std::string(path);
  if (path.empty() || path[0] != '/')
    return unexpected(std::string("request path must start with /"));
  std::vector<std::string> seg;
  std::size_t i = 1;
  while (i <= path.size()) {
    auto slash = path.find('/', i);
    std::string_view part =
        path.substr(i, slash == std::string_view::npos ? std::string_view::npos : slash - i);
    if (!part.empty()) {
      std::string decoded = percent_decode(part, false);
      if (decoded == "." || decoded == ".." || decoded.find('/') != std::string::npos) {
        return unexpected("invalid path segment \"" + decoded + "\"");
      }
      seg.push_back(std::move(decoded));
    }
    if (slash == std::string_view::npos) break;
    i = slash + 1;
  }
  std::size_t at = 0;
  if (seg.size() >= 2 && seg[0] == "api") {
    info.version = seg[1];
    at = 2;
  } else if (seg.size() >= 3 && seg[0] == "apis") {
    info.group = seg[1];
    info.version = seg[2];
    at = 3;
  } else {
    return info;  // not a resource path: discovery, openapi, health, version
  }
  std::vector<std::string> rest(seg.begin() + static_cast<long>(at), seg.end());
  if (rest.empty()) return info;  // /api/v1, /apis/g/v: resource lists
  info.is_resource = true;
  // namespaces/<ns>/<resource>... addresses a namespaced resource; namespaces[/<name>[/status]]
  // addresses Namespace objects themselves (status and finalize are Namespace's subresources,
  // as in the real API server's RequestInfo).
  if (rest[0] == "namespaces" && rest.size() >= 3 && rest[2] != "status" && rest[2] != "finalize") {
    info.ns = rest[1];
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  info.resource = rest[0];
  if (rest.size() >= 2) info.name = rest[1];
  if (rest.size() >= 3) info.subresource = rest[2];
  if (rest.size() > 3) return unexpected("too many path segments in " + std::string(path));
  return info;
}

}  // namespace ferrum::apiserver
