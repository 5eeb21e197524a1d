#include "uapi_codec.hpp"

#include <fmt/format.h>

#include <charconv>

namespace ferrum::linkd {

namespace {

// "addr/len" with an IPv4 or IPv6 literal (checked loosely: the shape wireguard-go parses).
bool plausible_cidr(std::string_view s) {
  auto slash = s.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= s.size()) return false;
  int len = -1;
  auto [p, ec] = std::from_chars(s.data() + slash + 1, s.data() + s.size(), len);
  if (ec != std::errc() || p != s.data() + s.size()) return false;
  bool v6 = s.substr(0, slash).find(':') != std::string_view::npos;
  if (len < 0 || len > (v6 ? 128 : 32)) return false;
  for (char c : s.substr(0, slash)) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
              c == ':' || c == '.';
    if (!ok) return false;
  }
  return true;
}

template <typename T>
bool parse_number(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Expected<std::string, std::string> render_set(const DeviceChange& change) {
  std::string out = "set=1\n";
  if (change.private_key) out += "private_key=" + change.private_key->hex() + "\n";
  if (change.listen_port) out += fmt::format("listen_port={}\n", *change.listen_port);
  if (change.replace_peers) out += "replace_peers=true\n";
  for (const auto& p : change.peers) {
    if (p.public_key.is_zero()) {
      return unexpected(std::string("peer public_key is all zeroes"));
    }
    out += "public_key=" + p.public_key.hex() + "\n";
    if (p.remove) {
      out += "remove=true\n";
      continue;
    }
    if (p.persistent_keepalive_seconds < 0 || p.persistent_keepalive_seconds > 65535) {
      return unexpected(fmt::format("peer {}: persistent keepalive {} out of range 0..65535",
                                    p.public_key.base64(), p.persistent_keepalive_seconds));
    }
    out += fmt::format("persistent_keepalive_interval={}\n", p.persistent_keepalive_seconds);
    out += "replace_allowed_ips=true\n";
    for (const auto& ip : p.allowed_ips) {
      if (!plausible_cidr(ip)) {
        return unexpected(
            fmt::format("peer {}: allowed IP \"{}\" is not addr/len", p.public_key.base64(), ip));
      }
      out += "allowed_ip=" + ip + "\n";
    }
  }
  out += "\n";
  return out;
}

bool reply_complete(std::string_view b) {
  if (b.size() < 2 || b.substr(b.size() - 2) != "\n\n") return false;
  auto last = b.substr(0, b.size() - 2);
  auto nl = last.rfind('\n');
  auto line = nl == std::string_view::npos ? last : last.substr(nl + 1);
  return line.starts_with("errno=");
}

namespace {

// Splits a reply into key/value lines, returning the errno value (or an error).
template <typename OnPair>
Expected<long, std::string> walk_reply(std::string_view reply, OnPair on_pair) {
  long err = -1;
  bool terminated = false;
  std::size_t pos = 0;
  while (pos < reply.size()) {
    auto nl = reply.find('\n', pos);
    if (nl == std::string_view::npos) return unexpected(std::string("reply truncated"));
    auto line = reply.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) {
      terminated = true;
      break;
    }
    auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      return unexpected(fmt::format("reply line \"{}\" has no '='", line));
    }
    auto key = line.substr(0, eq);
    auto value = line.substr(eq + 1);
    if (key == "errno") {
      if (!parse_number(value, err)) {
        return unexpected(fmt::format("reply errno \"{}\" is not a number", value));
      }
      continue;
    }
    if (auto e = on_pair(key, value); !e.empty()) return unexpected(e);
  }
  if (!terminated) return unexpected(std::string("reply truncated (no empty line)"));
  if (err < 0) return unexpected(std::string("reply has no errno line"));
  return err;
}

}  // namespace

std::string check_set_reply(std::string_view reply) {
  auto r = walk_reply(reply, [](std::string_view, std::string_view) { return std::string(); });
  if (!r) return r.error();
  if (*r != 0) return fmt::format("wireguard-go refused the change (errno={})", *r);
  return {};
}

Expected<DeviceStatus, std::string> parse_get(std::string_view reply) {
  DeviceStatus st;
  PeerStatus* peer = nullptr;
  auto r = walk_reply(reply, [&](std::string_view key, std::string_view value) -> std::string {
    auto bad = [&] { return fmt::format("reply {}=\"{}\" is malformed", key, value); };
    if (key == "public_key") {
      auto k = parse_key_hex(value);
      if (!k) return bad();
      st.peers.push_back(PeerStatus{*k, {}, 0, 0, 0, {}});
      peer = &st.peers.back();
    } else if (key == "private_key") {
      auto k = parse_key_hex(value);
      if (!k) return bad();
      st.public_key_of_device = public_key_of(*k);
    } else if (key == "listen_port") {
      if (!parse_number(value, st.listen_port)) return bad();
    } else if (peer == nullptr) {
      return {};  // device keys we do not use (fwmark)
    } else if (key == "endpoint") {
      peer->endpoint = std::string(value);
    } else if (key == "last_handshake_time_sec") {
      if (!parse_number(value, peer->last_handshake_sec)) return bad();
    } else if (key == "rx_bytes") {
      if (!parse_number(value, peer->rx_bytes)) return bad();
    } else if (key == "tx_bytes") {
      if (!parse_number(value, peer->tx_bytes)) return bad();
    } else if (key == "allowed_ip") {
      peer->allowed_ips.emplace_back(value);
    }
    return {};
  });
  if (!r) return unexpected(r.error());
  if (*r != 0) return unexpected(fmt::format("wireguard-go answered errno={}", *r));
  return st;
}

}  // namespace ferrum::linkd
