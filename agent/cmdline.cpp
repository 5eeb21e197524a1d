#include "cmdline.hpp"

#include <cctype>
#include <charconv>

#include "ferrum/contract.hpp"
#include "ferrum/percent_encoding.hpp"

namespace ferrum::agent {

std::vector<std::pair<std::string, std::string>> split_cmdline(std::string_view cmdline) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string word;
  bool quoted = false;
  bool have = false;
  auto flush = [&] {
    if (!have) return;
    auto eq = word.find('=');
    if (eq == std::string::npos) {
      out.emplace_back(word, "");
    } else {
      out.emplace_back(word.substr(0, eq), word.substr(eq + 1));
    }
    word.clear();
    have = false;
  };
  for (char c : cmdline) {
    if (c == '"') {
      quoted = !quoted;
      have = true;
    } else if (!quoted && std::isspace(static_cast<unsigned char>(c))) {
      flush();
    } else {
      word.push_back(c);
      have = true;
    }
  }
  flush();
  return out;
}

namespace {

// host:port with a non-empty host (brackets for IPv6) and a port 1..65535.
bool valid_endpoint(std::string_view e) {
  auto colon = e.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  auto host = e.substr(0, colon);
  auto port = e.substr(colon + 1);
  if (host.front() == '[' && host.back() != ']') return false;
  if (host.front() != '[' && host.find(':') != std::string_view::npos) return false;
  if (host == "[]") return false;
  unsigned value = 0;
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  return ec == std::errc() && p == port.data() + port.size() && value >= 1 && value <= 65535;
}

}  // namespace

std::string normalize_mac(std::string_view mac) {
  std::string hex;
  if (mac.size() == 17) {
    char sep = mac[2];
    if (sep != ':' && sep != '-') return {};
    for (std::size_t i = 0; i < mac.size(); ++i) {
      if (i % 3 == 2) {
        if (mac[i] != sep) return {};
      } else {
        hex.push_back(mac[i]);
      }
    }
  } else if (mac.size() == 12) {
    hex = std::string(mac);
  } else {
    return {};
  }
  std::string out;
  for (std::size_t i = 0; i < hex.size(); ++i) {
    if (hex_digit_value(hex[i]) < 0) return {};
    if (i > 0 && i % 2 == 0) out.push_back(':');
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(hex[i]))));
  }
  return out;
}

Expected<AgentArgs, std::string> parse_agent_args(std::string_view cmdline) {
  AgentArgs args;
  std::string mac, endpoint, parallel, reboot;
  bool have_mac = false, have_endpoint = false, have_parallel = false, have_reboot = false;
  for (auto& [k, v] : split_cmdline(cmdline)) {
    if (k == contract::kAgentMacArg) {
      mac = v;
      have_mac = true;
    } else if (k == contract::kAgentEndpointArg) {
      endpoint = v;
      have_endpoint = true;
    } else if (k == "ferrum.wipe_parallel") {
      parallel = v;
      have_parallel = true;
    } else if (k == "ferrum.reboot") {
      reboot = v;
      have_reboot = true;
    }
  }
  if (!have_mac) {
    return unexpected(std::string(contract::kAgentMacArg) +
                      ": missing from the kernel command line");
  }
  args.mac = normalize_mac(mac);
  if (args.mac.empty()) {
    return unexpected(std::string(contract::kAgentMacArg) + " \"" + mac +
                      "\": not a MAC address (aa:bb:cc:dd:ee:ff)");
  }
  if (!have_endpoint) {
    return unexpected(std::string(contract::kAgentEndpointArg) +
                      ": missing from the kernel command line");
  }
  if (!valid_endpoint(endpoint)) {
    return unexpected(std::string(contract::kAgentEndpointArg) + " \"" + endpoint +
                      "\": not host:port");
  }
  args.endpoint = endpoint;
  if (have_parallel) {
    int n = 0;
    auto [p, ec] = std::from_chars(parallel.data(), parallel.data() + parallel.size(), n);
    if (ec != std::errc() || p != parallel.data() + parallel.size() || n < 1 || n > 64) {
      return unexpected("ferrum.wipe_parallel \"" + parallel + "\": must be 1..64");
    }
    args.wipe_parallel = n;
  }
  if (have_reboot) {
    if (reboot == "0" || reboot == "false") {
      args.reboot = false;
    } else if (reboot == "1" || reboot == "true" || reboot.empty()) {
      args.reboot = true;
    } else {
      return unexpected("ferrum.reboot \"" + reboot + "\": must be 0 or 1");
    }
  }
  return args;
}

}  // namespace ferrum::agent
