#include "link_plan.hpp"

#include <gtest/gtest.h>

namespace ferrum::linkd {
namespace {

Ipv6Bytes net() {
  // fd12:3456:789a:bc03::/64, written out by hand.
  return Ipv6Bytes{0xfd, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0x03, 0, 0, 0, 0, 0, 0, 0, 0};
}

constexpr const char* kKey = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
constexpr const char* kUuid = "4C4C4544-0042-3510-8051-C4C04F4E4B32";

TEST(NodeAddress, AllocationVectors) {
  struct Case {
    std::uint64_t low;
    std::string want;
  };
  std::vector<Case> cases = {
      {0x0123456789abcdefULL, "fd12:3456:789a:bc03:123:4567:89ab:cdef/64"},
      {0, "fd12:3456:789a:bc03::2/64"},
      {1, "fd12:3456:789a:bc03::3/64"},
      {2, "fd12:3456:789a:bc03::2/64"},
      {0xffffffffffffffffULL, "fd12:3456:789a:bc03:ffff:ffff:ffff:ffff/64"},
      {0x0000000100000000ULL, "fd12:3456:789a:bc03:0:1::/64"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(node_address_prefix(allocate_node_address(net(), c.low)), c.want) << c.low;
  }
}

TEST(NodeAddress, ParseInsidePrefixOnly) {
  EXPECT_TRUE(parse_node_address("fd12:3456:789a:bc03:123:4567:89ab:cdef/64", net()));
  EXPECT_TRUE(parse_node_address("fd12:3456:789a:bc03::2", net()));
  EXPECT_FALSE(parse_node_address("fd12:3456:789a:bc04::2/64", net()));  // other /64
  EXPECT_FALSE(parse_node_address("fd12:3456:789a:bc03::1/64", net()));  // the server
  EXPECT_FALSE(parse_node_address("fd12:3456:789a:bc03::/64", net()));   // the network
  EXPECT_FALSE(parse_node_address("10.0.0.1/32", net()));
  EXPECT_FALSE(parse_node_address("", net()));
  EXPECT_FALSE(parse_node_address("garbage", net()));
}

Json binding(const std::string& address, const std::string& key) {
  Json b = {{"metadata", {{"name", "4c4c4544-0042-3510-8051-c4c04f4e4b32"}}},
            {"spec", Json::object()}};
  if (!address.empty() || !key.empty()) {
    b["spec"]["siderolink"] = Json::object();
    if (!address.empty()) b["spec"]["siderolink"]["address"] = address;
    if (!key.empty()) b["spec"]["siderolink"]["publicKey"] = key;
  }
  return b;
}

TEST(PlanProvision, Table) {
  const std::string kept = "fd12:3456:789a:bc03:aaaa:bbbb:cccc:dddd/64";
  const std::string fresh = "fd12:3456:789a:bc03:0:0:0:7/64";
  Json none = binding("", "");
  Json with_addr = binding(kept, "");
  Json same = binding(kept, kKey);
  Json foreign = binding("fd99::5/64", kKey);
  struct Case {
    std::string name;
    std::string uuid = kUuid;
    std::string key = kKey;
    std::optional<std::string> token;
    std::string required;
    const Json* b;
    ProvisionRefusal refusal;
    std::string message_has;
    std::string address;
    bool write;
  };
  std::vector<Case> cases = {
      {"new node",
       kUuid,
       kKey,
       {},
       "",
       &none,
       ProvisionRefusal::kNone,
       "",
       "fd12:3456:789a:bc03::7/64",
       true},
      {"keeps its address",
       kUuid,
       kKey,
       {},
       "",
       &with_addr,
       ProvisionRefusal::kNone,
       "",
       kept,
       true},
      {"nothing changed", kUuid, kKey, {}, "", &same, ProvisionRefusal::kNone, "", kept, false},
      {"address outside the prefix is replaced",
       kUuid,
       kKey,
       {},
       "",
       &foreign,
       ProvisionRefusal::kNone,
       "",
       "fd12:3456:789a:bc03::7/64",
       true},
      {"no binding",
       kUuid,
       kKey,
       {},
       "",
       nullptr,
       ProvisionRefusal::kNotFound,
       "no ServerBinding 4c4c4544-0042-3510-8051-c4c04f4e4b32",
       "",
       false},
      {"bad key",
       kUuid,
       "abc",
       {},
       "",
       &none,
       ProvisionRefusal::kInvalidArgument,
       "node_public_key \"abc\"",
       "",
       false},
      {"zero key",
       kUuid,
       "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
       {},
       "",
       &none,
       ProvisionRefusal::kInvalidArgument,
       "node_public_key",
       "",
       false},
      {"bad uuid",
       "../etc",
       kKey,
       {},
       "",
       &none,
       ProvisionRefusal::kInvalidArgument,
       "node_uuid \"../etc\"",
       "",
       false},
      {"token missing",
       kUuid,
       kKey,
       {},
       "s3cret",
       &none,
       ProvisionRefusal::kPermissionDenied,
       "join_token is required",
       "",
       false},
      {"token wrong", kUuid, kKey, std::string("s3cre"), "s3cret", &none,
       ProvisionRefusal::kPermissionDenied, "join_token is wrong", "", false},
      {"token right", kUuid, kKey, std::string("s3cret"), "s3cret", &same, ProvisionRefusal::kNone,
       "", kept, false},
  };
  for (const auto& c : cases) {
    ProvisionInput in{c.uuid, c.key, c.token, c.required, c.b, net(), 7};
    auto p = plan_provision(in);
    EXPECT_EQ(p.refusal, c.refusal) << c.name << ": " << p.message;
    EXPECT_NE(p.message.find(c.message_has), std::string::npos) << c.name << ": " << p.message;
    if (c.refusal != ProvisionRefusal::kNone) continue;
    EXPECT_EQ(p.binding_name, "4c4c4544-0042-3510-8051-c4c04f4e4b32") << c.name;
    EXPECT_EQ(p.address_prefix, c.address) << c.name;
    EXPECT_EQ(p.public_key, kKey) << c.name;
    EXPECT_EQ(p.write, c.write) << c.name;
    EXPECT_EQ(siderolink_patch(p)["spec"]["siderolink"]["address"], c.address) << c.name;
  }
}

TEST(Peers, DesiredPeerFromBinding) {
  auto p = desired_peer(binding("fd12:3456:789a:bc03::9/64", kKey), net());
  ASSERT_TRUE(p);
  EXPECT_EQ(p->allowed_ip, "fd12:3456:789a:bc03::9/128");
  EXPECT_EQ(p->public_key.base64(), kKey);
  EXPECT_FALSE(desired_peer(binding("fd12:3456:789a:bc03::9/64", ""), net()));
  EXPECT_FALSE(desired_peer(binding("", kKey), net()));
  EXPECT_FALSE(desired_peer(binding("fd99::9/64", kKey), net()));
  EXPECT_FALSE(desired_peer(binding("fd12:3456:789a:bc03::9/64", "bad"), net()));
  EXPECT_FALSE(desired_peer(Json::object(), net()));
}

WgKey key(std::uint8_t fill) {
  WgKey k;
  k.bytes.fill(fill);
  return k;
}

TEST(Peers, DiffSkipsNoOps) {
  PeerSet applied = {{key(1), "fd00::1/128"}, {key(2), "fd00::2/128"}, {key(3), "fd00::3/128"}};
  PeerSet desired = {{key(1), "fd00::1/128"}, {key(2), "fd00::22/128"}, {key(4), "fd00::4/128"}};
  auto d = diff_peers(applied, desired, 0);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0], (PeerChange{key(3), true, {}, 0}));
  EXPECT_EQ(d[1], (PeerChange{key(2), false, {"fd00::22/128"}, 0}));
  EXPECT_EQ(d[2], (PeerChange{key(4), false, {"fd00::4/128"}, 0}));
  EXPECT_TRUE(diff_peers(desired, desired, 0).empty());
  EXPECT_TRUE(diff_peers({}, {}, 0).empty());
}

TEST(Peers, PeerSetOfDevice) {
  DeviceStatus st;
  st.peers.push_back(PeerStatus{key(1), "", 0, 0, 0, {"fd00::1/128", "fd00::9/128"}});
  st.peers.push_back(PeerStatus{key(2), "", 0, 0, 0, {}});
  auto s = peer_set_of(st);
  EXPECT_EQ(s.at(key(1)), "fd00::1/128");
  EXPECT_EQ(s.at(key(2)), "");
}

}  // namespace
}  // namespace ferrum::linkd

namespace ferrum::linkd {
namespace {

// Adopting Sidero: a ServerBinding Sidero's Provision wrote (internal/siderolink/server.go in
// Sidero v0.6.13: 8 random bytes after the /64 of wireguard.NetworkPrefix(installation-id),
// stored as netip.Prefix.String(), "addr/64") must be kept byte for byte: same address, same
// text, nothing written, and the same WireGuard peer. Vectors computed from that algorithm
// with Python's hashlib and ipaddress (RFC 5952, as Go's netip prints), not with Ferrum's code.
TEST(SideroAdoption, SideroWrittenLinkIsKept) {
  const char* const kNewKey = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
  struct Case {
    const char* installation_id;
    const char* stored;  // spec.siderolink.address as Sidero wrote it
  };
  const Case cases[] = {
      {"wMm3ioaN0lGWmtdVgKKk3R5PZ3cAsjjlzHPddaK8a3Q=",
       "fd17:f051:d64e:4003:9c4e:1a22:b0f0:7d31/64"},
      {"sidero-adoption-49173", "fd8f:0:b52c:2f03:0:1:2:3/64"},
      {"sidero-adoption-49173", "fd8f:0:b52c:2f03::abc/64"},
      {"sidero-adoption-168772", "fdc7:cd78:0:1903::a1b2:0/64"},
      {"sidero-adoption-168772", "fdc7:cd78:0:1903:1111:0:2222:0/64"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.stored);
    Json b = binding(c.stored, kKey);
    ProvisionInput in;
    in.node_uuid = kUuid;
    in.node_public_key = kKey;
    in.binding = &b;
    in.network = siderolink::network_prefix(c.installation_id);
    in.random_low = 0x5555555555555555ULL;  // must not be used
    auto p = plan_provision(in);
    ASSERT_EQ(p.refusal, ProvisionRefusal::kNone) << p.message;
    EXPECT_EQ(p.address_prefix, c.stored);
    EXPECT_FALSE(p.write);
    // A node that comes back with a new key keeps its address; only the key is written.
    in.node_public_key = kNewKey;
    auto rekeyed = plan_provision(in);
    EXPECT_EQ(rekeyed.address_prefix, c.stored);
    EXPECT_TRUE(rekeyed.write);
    EXPECT_EQ(siderolink_patch(rekeyed)["spec"]["siderolink"]["address"], c.stored);
    // The peer linkd configures for the existing binding, before any Provision.
    auto peer = desired_peer(b, in.network);
    ASSERT_TRUE(peer);
    std::string host(c.stored);
    EXPECT_EQ(peer->allowed_ip, host.substr(0, host.find('/')) + "/128");
    EXPECT_EQ(peer->public_key.base64(), kKey);
  }
}

}  // namespace
}  // namespace ferrum::linkd
