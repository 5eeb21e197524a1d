// Checks the messages against the attribute numbers documented in <linux/wireguard.h> and
// rtnetlink(7), written out as numbers here so a wrong constant in the builder shows.
#include "netlink_messages.hpp"

#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/rtnetlink.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <map>

namespace ferrum::linkd::nl {
namespace {

WgKey key(std::uint8_t fill) {
  WgKey k;
  k.bytes.fill(fill);
  return k;
}

// type -> payload of every attribute at one level.
using Attrs = std::multimap<int, std::string>;

Attrs attrs_of(const void* payload, std::size_t len) {
  Attrs out;
  const auto* begin = static_cast<const char*>(payload);
  for (const auto* a = reinterpret_cast<const nlattr*>(begin);
       mnl_attr_ok(a, static_cast<int>(begin + len - reinterpret_cast<const char*>(a)));
       a = mnl_attr_next(a)) {
    out.emplace(mnl_attr_get_type(a), std::string(static_cast<const char*>(mnl_attr_get_payload(a)),
                                                  mnl_attr_get_payload_len(a)));
  }
  return out;
}

Attrs genl_attrs(const Message& m, int* cmd = nullptr, int* version = nullptr) {
  const auto* nlh = reinterpret_cast<const nlmsghdr*>(m.data());
  EXPECT_EQ(nlh->nlmsg_len, m.size());
  const auto* g = static_cast<const genlmsghdr*>(mnl_nlmsg_get_payload(nlh));
  if (cmd) *cmd = g->cmd;
  if (version) *version = g->version;
  return attrs_of(reinterpret_cast<const char*>(g) + GENL_HDRLEN,
                  nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN);
}

std::uint32_t u32(const std::string& s) {
  std::uint32_t v;
  std::memcpy(&v, s.data(), 4);
  return v;
}
std::uint16_t u16(const std::string& s) {
  std::uint16_t v;
  std::memcpy(&v, s.data(), 2);
  return v;
}

TEST(WgSetDevice, DocumentedAttributes) {
  DeviceChange c;
  c.private_key = key(0x11);
  c.listen_port = 51821;
  c.replace_peers = true;
  c.peers.push_back(PeerChange{key(0xab), false, {"fd00::5/128"}, 25});
  c.peers.push_back(PeerChange{key(0x01), true, {}, 0});
  auto msgs = wg_set_device(27, 100, "siderolink", c);
  ASSERT_TRUE(msgs) << msgs.error();
  ASSERT_EQ(msgs->size(), 1u);
  const auto* nlh = reinterpret_cast<const nlmsghdr*>((*msgs)[0].data());
  EXPECT_EQ(nlh->nlmsg_type, 27);
  EXPECT_EQ(nlh->nlmsg_seq, 100u);
  EXPECT_EQ(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
  int cmd = -1, version = -1;
  auto dev = genl_attrs((*msgs)[0], &cmd, &version);
  EXPECT_EQ(cmd, 1);            // WG_CMD_SET_DEVICE
  EXPECT_EQ(version, 1);        // WG_GENL_VERSION
  ASSERT_EQ(dev.count(2), 1u);  // WGDEVICE_A_IFNAME, NUL-terminated
  EXPECT_EQ(dev.find(2)->second, std::string("siderolink\0", 11));
  EXPECT_EQ(dev.find(3)->second, std::string(32, '\x11'));  // WGDEVICE_A_PRIVATE_KEY
  EXPECT_EQ(u32(dev.find(5)->second), 1u);                  // WGDEVICE_A_FLAGS: REPLACE_PEERS
  EXPECT_EQ(u16(dev.find(6)->second), 51821);               // WGDEVICE_A_LISTEN_PORT
  ASSERT_EQ(dev.count(8), 1u);                              // WGDEVICE_A_PEERS
  const auto& peers_blob = dev.find(8)->second;
  auto peers = attrs_of(peers_blob.data(), peers_blob.size());
  ASSERT_EQ(peers.size(), 2u);
  auto it = peers.begin();
  auto p0 = attrs_of(it->second.data(), it->second.size());
  EXPECT_EQ(p0.find(1)->second, std::string(32, '\xab'));  // WGPEER_A_PUBLIC_KEY
  EXPECT_EQ(u32(p0.find(3)->second), 2u);                  // WGPEER_A_FLAGS: REPLACE_ALLOWEDIPS
  EXPECT_EQ(u16(p0.find(5)->second), 25);                  // PERSISTENT_KEEPALIVE_INTERVAL
  ASSERT_EQ(p0.count(9), 1u);                              // WGPEER_A_ALLOWEDIPS
  auto ips = attrs_of(p0.find(9)->second.data(), p0.find(9)->second.size());
  ASSERT_EQ(ips.size(), 1u);
  auto ip = attrs_of(ips.begin()->second.data(), ips.begin()->second.size());
  EXPECT_EQ(u16(ip.find(1)->second), 10);  // WGALLOWEDIP_A_FAMILY = AF_INET6
  std::string want_addr(16, '\0');
  want_addr[0] = '\xfd';
  want_addr[15] = '\x05';
  EXPECT_EQ(ip.find(2)->second, want_addr);                           // WGALLOWEDIP_A_IPADDR
  EXPECT_EQ(static_cast<unsigned char>(ip.find(3)->second[0]), 128);  // WGALLOWEDIP_A_CIDR_MASK
  ++it;
  auto p1 = attrs_of(it->second.data(), it->second.size());
  EXPECT_EQ(p1.find(1)->second, std::string(32, '\x01'));
  EXPECT_EQ(u32(p1.find(3)->second), 1u);  // WGPEER_F_REMOVE_ME
  EXPECT_EQ(p1.count(9), 0u);
}

TEST(WgSetDevice, SplitsPeersOverMessages) {
  DeviceChange c;
  c.private_key = key(0x11);
  c.replace_peers = true;
  for (int i = 1; i <= 40; ++i) {
    c.peers.push_back(PeerChange{
        key(static_cast<std::uint8_t>(i)), false, {"fd00::" + std::to_string(i) + "/128"}, 0});
  }
  auto msgs = wg_set_device(27, 7, "wg0", c, 1024);
  ASSERT_TRUE(msgs) << msgs.error();
  ASSERT_GT(msgs->size(), 2u);
  std::size_t total = 0;
  for (std::size_t i = 0; i < msgs->size(); ++i) {
    const auto& m = (*msgs)[i];
    EXPECT_LE(m.size(), 1024u);
    EXPECT_EQ(reinterpret_cast<const nlmsghdr*>(m.data())->nlmsg_seq, 7 + i);
    auto dev = genl_attrs(m);
    EXPECT_EQ(dev.count(2), 1u) << "every message names the interface";
    EXPECT_EQ(dev.count(3), i == 0 ? 1u : 0u) << "only the first sets the key";
    EXPECT_EQ(dev.count(5), i == 0 ? 1u : 0u) << "only the first may replace peers";
    const auto& blob = dev.find(8)->second;
    total += attrs_of(blob.data(), blob.size()).size();
  }
  EXPECT_EQ(total, 40u);
}

TEST(WgSetDevice, RefusesBadInput) {
  DeviceChange c;
  c.peers.push_back(PeerChange{key(2), false, {"fd00::zz/128"}, 0});
  auto r = wg_set_device(27, 1, "wg0", c);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("fd00::zz/128"), std::string::npos);
  EXPECT_FALSE(wg_set_device(27, 1, "", DeviceChange{}));
  EXPECT_FALSE(wg_set_device(27, 1, "sixteen-chars-xx", DeviceChange{}));
}

TEST(WgGetDevice, ParsesDumpAnswer) {
  // An answer as the kernel builds it: device attrs and one peer with two allowed IPs.
  std::vector<std::uint8_t> buf(1024);
  auto* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = 27;
  auto* g = static_cast<genlmsghdr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(genlmsghdr)));
  g->cmd = 0;
  mnl_attr_put_u16(nlh, 6, 51821);
  WgKey pub = key(0x42);
  mnl_attr_put(nlh, 4, 32, pub.bytes.data());
  auto* peers = mnl_attr_nest_start(nlh, 8);
  auto* peer = mnl_attr_nest_start(nlh, 0);
  WgKey pk = key(0x07);
  mnl_attr_put(nlh, 1, 32, pk.bytes.data());
  struct {
    std::int64_t sec, nsec;
  } ts{1700000000, 1};
  mnl_attr_put(nlh, 6, sizeof ts, &ts);
  mnl_attr_put_u64(nlh, 7, 300);
  mnl_attr_put_u64(nlh, 8, 400);
  auto* ips = mnl_attr_nest_start(nlh, 9);
  for (std::uint8_t last : {5, 6}) {
    auto* one = mnl_attr_nest_start(nlh, 0);
    mnl_attr_put_u16(nlh, 1, 10);
    std::uint8_t a[16] = {0xfd};
    a[15] = last;
    mnl_attr_put(nlh, 2, 16, a);
    mnl_attr_put_u8(nlh, 3, 128);
    mnl_attr_nest_end(nlh, one);
  }
  mnl_attr_nest_end(nlh, ips);
  mnl_attr_nest_end(nlh, peer);
  mnl_attr_nest_end(nlh, peers);
  DeviceStatus st;
  auto more = parse_wg_device(buf.data(), nlh->nlmsg_len, st);
  ASSERT_TRUE(more) << more.error();
  EXPECT_TRUE(*more);
  EXPECT_EQ(st.listen_port, 51821);
  EXPECT_EQ(st.public_key_of_device, pub);
  ASSERT_EQ(st.peers.size(), 1u);
  EXPECT_EQ(st.peers[0].public_key, pk);
  EXPECT_EQ(st.peers[0].last_handshake_sec, 1700000000);
  EXPECT_EQ(st.peers[0].rx_bytes, 300u);
  EXPECT_EQ(st.peers[0].tx_bytes, 400u);
  EXPECT_EQ(st.peers[0].allowed_ips, (std::vector<std::string>{"fd00::5/128", "fd00::6/128"}));
}

// Regressions found by tests/fuzz/netlink_fuzz: the parsers trusted nlmsg_len and the
// attributes' payload lengths, so a short answer made libmnl and inet_ntop read past it.
TEST(WgGetDevice, RefusesAMessageLongerThanTheBuffer) {
  std::vector<std::uint8_t> buf(64);
  auto* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = 27;
  mnl_nlmsg_put_extra_header(nlh, sizeof(genlmsghdr));
  mnl_attr_put_u16(nlh, 6, 51821);
  std::size_t received = nlh->nlmsg_len;
  nlh->nlmsg_len = 4096;  // claims more than was received
  DeviceStatus st;
  auto more = parse_wg_device(buf.data(), received, st);
  ASSERT_FALSE(more);
  EXPECT_NE(more.error().find("short"), std::string::npos) << more.error();
  EXPECT_FALSE(parse_genl_family_id(buf.data(), received));
  // Found by the fuzz tier after the first fix: libmnl's mnl_nlmsg_ok compares the length as
  // int, so one above INT_MAX looked small.
  nlh->nlmsg_len = 0x80000001u;
  EXPECT_FALSE(parse_wg_device(buf.data(), received, st));
  EXPECT_FALSE(parse_genl_family_id(buf.data(), received));
}

TEST(WgGetDevice, IgnoresAttributesTooShortForTheirType) {
  std::vector<std::uint8_t> buf(512);
  auto* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = 27;
  mnl_nlmsg_put_extra_header(nlh, sizeof(genlmsghdr));
  std::uint8_t one = 7;
  mnl_attr_put(nlh, 6, 1, &one);  // listen port: one byte instead of a u16
  auto* peers = mnl_attr_nest_start(nlh, 8);
  auto* peer = mnl_attr_nest_start(nlh, 0);
  WgKey pk = key(0x07);
  mnl_attr_put(nlh, 1, 32, pk.bytes.data());
  mnl_attr_put(nlh, 7, 1, &one);  // rx bytes: one byte instead of a u64
  auto* ips = mnl_attr_nest_start(nlh, 9);
  auto* ip = mnl_attr_nest_start(nlh, 0);
  mnl_attr_put_u16(nlh, 1, 10);        // AF_INET6 ...
  std::uint8_t v4[4] = {10, 0, 0, 1};  // ... with a 4-byte address
  mnl_attr_put(nlh, 2, sizeof v4, v4);
  mnl_attr_put_u8(nlh, 3, 128);
  mnl_attr_nest_end(nlh, ip);
  mnl_attr_nest_end(nlh, ips);
  mnl_attr_nest_end(nlh, peer);
  mnl_attr_nest_end(nlh, peers);
  // The buffer ends where the message does, so a read past it is a read past the answer.
  buf.resize(nlh->nlmsg_len);
  DeviceStatus st;
  auto more = parse_wg_device(buf.data(), buf.size(), st);
  ASSERT_TRUE(more) << more.error();
  EXPECT_EQ(st.listen_port, 0);
  ASSERT_EQ(st.peers.size(), 1u);
  EXPECT_EQ(st.peers[0].public_key, pk);
  EXPECT_EQ(st.peers[0].rx_bytes, 0u);
  EXPECT_TRUE(st.peers[0].allowed_ips.empty());
}

TEST(AckErrno, AnErrorFieldThatIsNoErrnoIsAProtocolError) {
  std::vector<std::uint8_t> buf(64);
  auto* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = NLMSG_ERROR;
  auto* err = static_cast<nlmsgerr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nlmsgerr)));
  err->error = std::numeric_limits<int>::min();  // negating it was undefined behaviour
  EXPECT_EQ(ack_errno(buf.data(), nlh->nlmsg_len), EPROTO);
  err->error = 5;
  EXPECT_EQ(ack_errno(buf.data(), nlh->nlmsg_len), EPROTO);
  err->error = -EEXIST;
  EXPECT_EQ(ack_errno(buf.data(), nlh->nlmsg_len), EEXIST);
  err->error = 0;
  EXPECT_EQ(ack_errno(buf.data(), nlh->nlmsg_len), 0);
}

TEST(Rtnetlink, NewLinkAndAddress) {
  auto link = rtnl_new_link(3, "siderolink", "wireguard");
  const auto* nlh = reinterpret_cast<const nlmsghdr*>(link.data());
  EXPECT_EQ(nlh->nlmsg_type, RTM_NEWLINK);
  EXPECT_EQ(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL), NLM_F_CREATE | NLM_F_EXCL);
  auto la = attrs_of(static_cast<const char*>(mnl_nlmsg_get_payload(nlh)) + sizeof(ifinfomsg),
                     nlh->nlmsg_len - NLMSG_HDRLEN - sizeof(ifinfomsg));
  EXPECT_EQ(la.find(IFLA_IFNAME)->second, std::string("siderolink\0", 11));
  auto info =
      attrs_of(la.find(IFLA_LINKINFO)->second.data(), la.find(IFLA_LINKINFO)->second.size());
  EXPECT_EQ(info.find(IFLA_INFO_KIND)->second, std::string("wireguard\0", 10));

  siderolink::Ipv6Bytes addr{0xfd};
  addr[15] = 1;
  auto m = rtnl_add_address6(4, 9, addr, 64);
  nlh = reinterpret_cast<const nlmsghdr*>(m.data());
  EXPECT_EQ(nlh->nlmsg_type, RTM_NEWADDR);
  const auto* ifa = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
  EXPECT_EQ(ifa->ifa_family, AF_INET6);
  EXPECT_EQ(ifa->ifa_prefixlen, 64);
  EXPECT_EQ(ifa->ifa_index, 9u);
  auto aa = attrs_of(reinterpret_cast<const char*>(ifa) + sizeof(ifaddrmsg),
                     nlh->nlmsg_len - NLMSG_HDRLEN - sizeof(ifaddrmsg));
  EXPECT_EQ(aa.find(IFA_LOCAL)->second, std::string(reinterpret_cast<char*>(addr.data()), 16));
  EXPECT_EQ(u32(aa.find(IFA_FLAGS)->second), static_cast<std::uint32_t>(IFA_F_NODAD));
}

}  // namespace
}  // namespace ferrum::linkd::nl
