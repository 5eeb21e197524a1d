#include "uapi_codec.hpp"

#include <gtest/gtest.h>

namespace ferrum::linkd {
namespace {

WgKey key(std::uint8_t fill) {
  WgKey k;
  k.bytes.fill(fill);
  return k;
}

TEST(UapiRenderSet, DeviceAndPeers) {
  DeviceChange c;
  c.private_key = key(0x11);
  c.listen_port = 51821;
  c.replace_peers = true;
  c.peers.push_back(PeerChange{key(0xab), false, {"fd00::5/128"}, 25});
  c.peers.push_back(PeerChange{key(0x01), true, {"ignored/1"}, 0});
  auto r = render_set(c);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(*r,
            "set=1\n"
            "private_key=" +
                std::string(64, '1') +
                "\n"
                "listen_port=51821\n"
                "replace_peers=true\n"
                "public_key=abababababababababababababababababababababababababababababababab\n"
                "persistent_keepalive_interval=25\n"
                "replace_allowed_ips=true\n"
                "allowed_ip=fd00::5/128\n"
                "public_key=0101010101010101010101010101010101010101010101010101010101010101\n"
                "remove=true\n"
                "\n");
}

TEST(UapiRenderSet, RefusesBadPeers) {
  struct Case {
    PeerChange peer;
    std::string error_has;
  };
  std::vector<Case> cases = {
      {PeerChange{key(0), false, {"fd00::5/128"}, 0}, "all zeroes"},
      {PeerChange{key(2), false, {"fd00::5"}, 0}, "not addr/len"},
      {PeerChange{key(2), false, {"fd00::5/129"}, 0}, "not addr/len"},
      {PeerChange{key(2), false, {"10.0.0.1/33"}, 0}, "not addr/len"},
      {PeerChange{key(2), false, {"fd00::5/128\nremove=true"}, 0}, "not addr/len"},
      {PeerChange{key(2), false, {"fd00::5/128"}, 70000}, "keepalive"},
  };
  for (const auto& c : cases) {
    DeviceChange d;
    d.peers.push_back(c.peer);
    auto r = render_set(d);
    ASSERT_FALSE(r) << c.error_has;
    EXPECT_NE(r.error().find(c.error_has), std::string::npos) << r.error();
  }
}

TEST(UapiParseGet, DeviceWithPeers) {
  std::string reply =
      "private_key=77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a\n"
      "listen_port=51821\n"
      "public_key=" +
      std::string(64, 'c') +
      "\n"
      "endpoint=10.0.0.2:41000\n"
      "last_handshake_time_sec=1700000000\n"
      "last_handshake_time_nsec=5\n"
      "tx_bytes=100\n"
      "rx_bytes=200\n"
      "persistent_keepalive_interval=0\n"
      "allowed_ip=fd00::5/128\n"
      "allowed_ip=fd00::6/128\n"
      "protocol_version=1\n"
      "public_key=" +
      std::string(64, 'd') +
      "\n"
      "last_handshake_time_sec=0\n"
      "errno=0\n\n";
  ASSERT_TRUE(reply_complete(reply));
  auto st = parse_get(reply);
  ASSERT_TRUE(st) << st.error();
  EXPECT_EQ(st->listen_port, 51821);
  ASSERT_TRUE(st->public_key_of_device);
  EXPECT_EQ(st->public_key_of_device->hex(),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  ASSERT_EQ(st->peers.size(), 2u);
  EXPECT_EQ(st->peers[0].public_key, key(0xcc));
  EXPECT_EQ(st->peers[0].endpoint, "10.0.0.2:41000");
  EXPECT_EQ(st->peers[0].last_handshake_sec, 1700000000);
  EXPECT_EQ(st->peers[0].rx_bytes, 200u);
  EXPECT_EQ(st->peers[0].tx_bytes, 100u);
  EXPECT_EQ(st->peers[0].allowed_ips, (std::vector<std::string>{"fd00::5/128", "fd00::6/128"}));
  EXPECT_EQ(st->peers[1].public_key, key(0xdd));
  EXPECT_EQ(st->peers[1].last_handshake_sec, 0);
}

TEST(UapiParseGet, Errors) {
  struct Case {
    std::string reply;
    std::string error_has;
  };
  std::vector<Case> cases = {
      {"errno=2\n\n", "errno=2"},
      {"listen_port=1\n", "truncated"},
      {"listen_port=1\n\n", "no errno"},
      {"listen_port=x\nerrno=0\n\n", "listen_port"},
      {"garbage\nerrno=0\n\n", "no '='"},
      {"public_key=zz\nerrno=0\n\n", "public_key"},
      {"public_key=" + std::string(64, 'c') + "\nrx_bytes=-1\nerrno=0\n\n", "rx_bytes"},
  };
  for (const auto& c : cases) {
    auto st = parse_get(c.reply);
    ASSERT_FALSE(st) << c.reply;
    EXPECT_NE(st.error().find(c.error_has), std::string::npos) << st.error();
  }
}

TEST(UapiSetReply, Errno) {
  EXPECT_EQ(check_set_reply("errno=0\n\n"), "");
  EXPECT_NE(check_set_reply("errno=22\n\n").find("errno=22"), std::string::npos);
  EXPECT_NE(check_set_reply(""), "");
  EXPECT_FALSE(reply_complete("errno=0\n"));
  EXPECT_FALSE(reply_complete("listen_port=1\n\n"));
  EXPECT_TRUE(reply_complete("errno=0\n\n"));
}

}  // namespace
}  // namespace ferrum::linkd
