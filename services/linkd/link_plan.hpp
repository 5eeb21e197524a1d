#pragma once
// The pure decisions of ferrum-linkd (no sockets, no API server): node addresses inside
// the installation's /64 (DESIGN.md 4.5), what a Provision call gets, which WireGuard peers
// the ServerBindings ask for and how the device must change to match them.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferrum/siderolink_address.hpp"
#include "uapi_codec.hpp"
#include "wg_key.hpp"

namespace ferrum::linkd {

using siderolink::Ipv6Bytes;
using Json = nlohmann::json;

// network's upper 64 bits + `random_low`; low values 0 (the network) and 1 (the server)
// are never handed out (they are moved up by 2).
Ipv6Bytes allocate_node_address(const Ipv6Bytes& network, std::uint64_t random_low);
// "addr" or "addr/len" inside `network` (its /64) and not the server's; else nullopt.
std::optional<Ipv6Bytes> parse_node_address(std::string_view text, const Ipv6Bytes& network);
// Any IPv6 literal (no prefix); nullopt when malformed.
std::optional<Ipv6Bytes> parse_ipv6(std::string_view text);
// Both "addr/64" as Sidero stores it in spec.siderolink.address and answers in
// node_address_prefix.
std::string node_address_prefix(const Ipv6Bytes& addr);

// --- Provision -----------------------------------------------------------------------
struct ProvisionInput {
  std::string node_uuid;
  std::string node_public_key;  // base64
  std::optional<std::string> join_token;
  std::string required_join_token;  // "" = none required
  const Json* binding = nullptr;    // the ServerBinding named after the node, or null
  Ipv6Bytes network{};
  std::uint64_t random_low = 0;  // used only when the binding has no usable address
};

enum class ProvisionRefusal { kNone, kInvalidArgument, kPermissionDenied, kNotFound };

struct ProvisionPlan {
  ProvisionRefusal refusal = ProvisionRefusal::kNone;
  std::string message;       // why it was refused
  std::string binding_name;  // lower-case UUID
  Ipv6Bytes node_address{};
  std::string address_prefix;  // "addr/64"
  std::string public_key;      // canonical base64
  bool write = false;          // spec.siderolink differs from what must be stored
};

ProvisionPlan plan_provision(const ProvisionInput& in);

// The merge patch writing spec.siderolink of a plan.
Json siderolink_patch(const ProvisionPlan& plan);

// --- Peers ---------------------------------------------------------------------------
struct DesiredPeer {
  WgKey public_key;
  std::string allowed_ip;  // "addr/128"
  bool operator==(const DesiredPeer&) const = default;
};

// The peer a ServerBinding asks for: spec.siderolink with a valid key and an address inside
// `network`; nullopt otherwise (no public key yet, or garbage written by hand).
std::optional<DesiredPeer> desired_peer(const Json& binding, const Ipv6Bytes& network);

// Public key -> allowed IP.
using PeerSet = std::map<WgKey, std::string>;

// The changes that turn `applied` into `desired`: removals for keys no longer wanted,
// create-or-update for new keys and changed addresses; unchanged peers are left out (no-op
// updates are skipped), so an empty result means nothing to send.
std::vector<PeerChange> diff_peers(const PeerSet& applied, const PeerSet& desired,
                                   int persistent_keepalive_seconds);

// The peers as a device reports them (a peer with several allowed IPs keeps the first).
PeerSet peer_set_of(const DeviceStatus& status);

}  // namespace ferrum::linkd
