#include "link_plan.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace ferrum::linkd {

Ipv6Bytes allocate_node_address(const Ipv6Bytes& network, std::uint64_t random_low) {
  if (random_low < 2) random_low += 2;
  Ipv6Bytes a = network;
  for (int i = 0; i < 8; ++i) {
    a[15 - i] = static_cast<std::uint8_t>(random_low >> (8 * i));
  }
  return a;
}

std::optional<Ipv6Bytes> parse_ipv6(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  std::string s(text);
  Ipv6Bytes a{};
  if (inet_pton(AF_INET6, s.c_str(), a.data()) != 1) return std::nullopt;
  return a;
}

std::optional<Ipv6Bytes> parse_node_address(std::string_view text, const Ipv6Bytes& network) {
  auto slash = text.find('/');
  auto a = parse_ipv6(text.substr(0, slash));
  if (!a) return std::nullopt;
  if (!std::equal(a->begin(), a->begin() + 8, network.begin())) return std::nullopt;
  bool low_small =
      std::all_of(a->begin() + 8, a->begin() + 15, [](auto b) { return b == 0; }) && (*a)[15] < 2;
  if (low_small) return std::nullopt;
  return a;
}

std::string node_address_prefix(const Ipv6Bytes& addr) {
  return siderolink::format_ipv6(addr) + "/64";
}

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool uuid_shaped(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (s[i] == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// Constant-time comparison: the join token is a shared secret.
bool same_secret(std::string_view a, std::string_view b) {
  std::size_t diff = a.size() ^ b.size();
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto other = i < b.size() ? static_cast<unsigned char>(b[i]) : 0U;
    diff |= static_cast<unsigned char>(a[i]) ^ other;
  }
  return diff == 0;
}

}  // namespace

ProvisionPlan plan_provision(const ProvisionInput& in) {
  ProvisionPlan p;
  auto refuse = [&p](ProvisionRefusal r, std::string msg) {
    p.refusal = r;
    p.message = std::move(msg);
    return p;
  };
  if (!in.required_join_token.empty()) {
    if (!in.join_token) {
      return refuse(ProvisionRefusal::kPermissionDenied,
                    "join_token is required by this server (siderolink.api=...?jointoken=...)");
    }
    if (!same_secret(*in.join_token, in.required_join_token)) {
      return refuse(ProvisionRefusal::kPermissionDenied, "join_token is wrong");
    }
  }
  if (!uuid_shaped(in.node_uuid)) {
    return refuse(ProvisionRefusal::kInvalidArgument,
                  fmt::format("node_uuid \"{}\" is not a UUID (8-4-4-4-12 hex digits)",
                              in.node_uuid.substr(0, 64)));
  }
  p.binding_name = lower(in.node_uuid);
  auto key = parse_key_base64(in.node_public_key);
  if (!key || key->is_zero()) {
    return refuse(ProvisionRefusal::kInvalidArgument,
                  fmt::format("node_public_key \"{}\" is not a base64 WireGuard key (32 bytes)",
                              in.node_public_key.substr(0, 64)));
  }
  p.public_key = key->base64();
  if (in.binding == nullptr) {
    return refuse(ProvisionRefusal::kNotFound,
                  fmt::format("no ServerBinding {}: this machine is not allocated to a cluster",
                              p.binding_name));
  }
  const Json* link = nullptr;
  if (auto spec = in.binding->find("spec"); spec != in.binding->end() && spec->is_object()) {
    if (auto l = spec->find("siderolink"); l != spec->end() && l->is_object()) link = &*l;
  }
  std::optional<Ipv6Bytes> kept;
  std::string stored_key;
  std::string stored_address;
  if (link != nullptr) {
    if (auto a = link->find("address"); a != link->end() && a->is_string()) {
      stored_address = a->get<std::string>();
      kept = parse_node_address(stored_address, in.network);
    }
    if (auto k = link->find("publicKey"); k != link->end() && k->is_string()) {
      stored_key = k->get<std::string>();
    }
  }
  p.node_address = kept ? *kept : allocate_node_address(in.network, in.random_low);
  p.address_prefix = node_address_prefix(p.node_address);
  p.write = stored_address != p.address_prefix || stored_key != p.public_key;
  return p;
}

Json siderolink_patch(const ProvisionPlan& plan) {
  return Json{
      {"spec",
       {{"siderolink", {{"address", plan.address_prefix}, {"publicKey", plan.public_key}}}}}};
}

std::optional<DesiredPeer> desired_peer(const Json& binding, const Ipv6Bytes& network) {
  auto spec = binding.find("spec");
  if (spec == binding.end() || !spec->is_object()) return std::nullopt;
  auto link = spec->find("siderolink");
  if (link == spec->end() || !link->is_object()) return std::nullopt;
  auto a = link->find("address");
  auto k = link->find("publicKey");
  if (a == link->end() || k == link->end() || !a->is_string() || !k->is_string()) {
    return std::nullopt;
  }
  auto addr = parse_node_address(a->get<std::string>(), network);
  auto key = parse_key_base64(k->get<std::string>());
  if (!addr || !key || key->is_zero()) return std::nullopt;
  return DesiredPeer{*key, siderolink::format_ipv6(*addr) + "/128"};
}

std::vector<PeerChange> diff_peers(const PeerSet& applied, const PeerSet& desired,
                                   int persistent_keepalive_seconds) {
  std::vector<PeerChange> out;
  for (const auto& [key, ip] : applied) {
    if (!desired.contains(key)) out.push_back(PeerChange{key, true, {}, 0});
  }
  for (const auto& [key, ip] : desired) {
    auto it = applied.find(key);
    if (it != applied.end() && it->second == ip) continue;
    out.push_back(PeerChange{key, false, {ip}, persistent_keepalive_seconds});
  }
  return out;
}

PeerSet peer_set_of(const DeviceStatus& status) {
  PeerSet s;
  for (const auto& p : status.peers) {
    s[p.public_key] = p.allowed_ips.empty() ? std::string() : p.allowed_ips.front();
  }
  return s;
}

}  // namespace ferrum::linkd
