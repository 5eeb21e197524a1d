#include "boot_query.hpp"

#include "ferrum/percent_encoding.hpp"

namespace ferrum::ipxe {
namespace {

// ASCII only, as the "C" locale's tolower; inline because every /ipxe request lowers its keys
// and values.
char lower_char(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = lower_char(c);
  return out;
}

// Free-text parameters end up in logs only; bound them so a request cannot flood a log line.
constexpr std::size_t kMaxTextParameter = 253;

}  // namespace

bool valid_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : hex_digit_value(s[i]) < 0) return false;
  }
  return true;
}

bool normalize_mac(std::string_view s, std::string& out) {
  char hex[12];
  std::size_t n = 0;
  if (s.size() == 17) {
    char sep = s[2];
    if (sep != '-' && sep != ':') return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (i % 3 == 2) {
        if (s[i] != sep) return false;
      } else {
        if (hex_digit_value(s[i]) < 0) return false;
        hex[n++] = s[i];
      }
    }
  } else if (s.size() == 12) {
    for (char c : s) {
      if (hex_digit_value(c) < 0) return false;
      hex[n++] = c;
    }
  } else {
    return false;
  }
  out.clear();
  for (std::size_t i = 0; i < 12; i += 2) {
    if (!out.empty()) out.push_back(':');
    out.push_back(lower_char(hex[i]));
    out.push_back(lower_char(hex[i + 1]));
  }
  return true;
}

bool normalize_arch(std::string_view s, std::string& out) {
  std::string a = lower(s);
  if (a == "x86_64" || a == "amd64" || a == "i386" || a == "x86") {
    out = "amd64";
  } else if (a == "arm64" || a == "aarch64") {
    out = "arm64";
  } else {
    return false;
  }
  return true;
}

Expected<BootQuery, QueryError> parse_boot_query(std::string_view query) {
  BootQuery q;
  q.arch = "amd64";
  bool seen[6] = {false, false, false, false, false, false};
  static constexpr std::string_view kKeys[6] = {"uuid",   "mac",      "arch",
                                                "domain", "hostname", "serial"};
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    auto decoded_key = percent_decode(pair.substr(0, eq));
    if (!decoded_key) return unexpected(QueryError{"query", "query: bad percent-encoding"});
    std::string key = lower(*decoded_key);
    std::size_t index = 6;
    for (std::size_t i = 0; i < 6; ++i) {
      if (key == kKeys[i]) index = i;
    }
    if (index == 6 || seen[index]) continue;
    seen[index] = true;
    std::string_view raw = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    auto decoded_value = percent_decode(raw);
    if (!decoded_value) return unexpected(QueryError{key, key + ": bad percent-encoding"});
    std::string value = std::move(*decoded_value);
    for (char c : value) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        return unexpected(QueryError{key, key + ": control characters are not allowed"});
      }
    }
    // percent_encoding.hpp's rule: decoded values are checked before they reach logs.
    if (!is_valid_utf8(value)) return unexpected(QueryError{key, key + ": not valid UTF-8"});
    switch (index) {
      case 0:
        if (!value.empty() && !valid_uuid(value)) {
          return unexpected(QueryError{"uuid", "uuid: \"" + value.substr(0, 64) +
                                                   "\" is not a UUID (8-4-4-4-12 hex digits)"});
        }
        q.uuid = lower(value);
        break;
      case 1:
        if (!value.empty() && !normalize_mac(value, q.mac)) {
          return unexpected(QueryError{"mac", "mac: \"" + value.substr(0, 64) +
                                                  "\" is not a MAC address (52-54-00-12-34-56)"});
        }
        break;
      case 2:
        if (!value.empty() && !normalize_arch(value, q.arch)) {
          return unexpected(QueryError{
              "arch", "arch: \"" + value.substr(0, 64) +
                          "\" is not a supported architecture (x86_64, i386, amd64, arm64)"});
        }
        break;
      default:
        if (value.size() > kMaxTextParameter) {
          return unexpected(QueryError{key, key + ": longer than 253 characters"});
        }
        (index == 3 ? q.domain : index == 4 ? q.hostname : q.serial) = std::move(value);
        break;
    }
  }
  return q;
}

}  // namespace ferrum::ipxe
