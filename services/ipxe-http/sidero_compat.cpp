#include "sidero_compat.hpp"

#include <cctype>

#include "ferrum/net.hpp"

namespace ferrum::ipxe {

std::optional<std::string> configdata_redirect(std::string_view metadata_endpoint,
                                               std::string_view raw_query) {
  for (char c : raw_query) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return std::nullopt;
  }
  std::string to = "http://" + std::string(metadata_endpoint) + "/configdata";
  if (!raw_query.empty()) {
    to += '?';
    to += raw_query;
  }
  return to;
}

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view unbracket(std::string_view h) {
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') return h.substr(1, h.size() - 2);
  return h;
}

}  // namespace

std::optional<std::string> rewrite_sidero_link_api(std::string_view value,
                                                   std::string_view api_host,
                                                   std::uint16_t api_port,
                                                   std::string_view link_api_endpoint) {
  std::string_view rest = value;
  std::string_view scheme_prefix;
  if (auto sep = value.find("://"); sep != std::string_view::npos && sep > 0) {
    bool letters = true;
    for (char c : value.substr(0, sep))
      letters = letters && std::isalpha(static_cast<unsigned char>(c));
    if (letters) {
      if (!iequals(value.substr(0, sep), "grpc")) return std::nullopt;  // https:// is not Sidero's
      scheme_prefix = value.substr(0, sep + 3);
      rest = value.substr(sep + 3);
    }
  }
  auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) return std::nullopt;
  auto hp = net::parse_host_port(authority);
  if (!hp || hp->port != api_port || !iequals(hp->host, unbracket(api_host))) return std::nullopt;
  return std::string(scheme_prefix) + std::string(link_api_endpoint) + std::string(tail);
}

}  // namespace ferrum::ipxe
