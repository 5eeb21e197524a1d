#include "ferrum/net.hpp"

#include <gtest/gtest.h>

using namespace ferrum::net;

TEST(Net, ParsesHostPortForms) {
  auto a = parse_host_port("0.0.0.0:69");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "0.0.0.0");
  EXPECT_EQ(a->port, 69);
  auto b = parse_host_port("[::1]:8081");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "::1");
  auto c = parse_host_port(":9091");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "");
  EXPECT_EQ(c->port, 9091);
}

TEST(Net, RejectsBadAddressesWithReasons) {
  EXPECT_EQ(parse_host_port("localhost").error(), "missing port (want host:port)");
  EXPECT_EQ(parse_host_port("::1:80").error(), "IPv6 addresses need brackets (want [addr]:port)");
  EXPECT_EQ(parse_host_port("a:70000").error(), "port 70000 out of range (0-65535)");
  EXPECT_EQ(parse_host_port("a:x").error(), "invalid port \"x\"");
  EXPECT_EQ(parse_host_port("[::1]").error(), "missing port after ']' (want [addr]:port)");
  EXPECT_EQ(listen_address({"example.com", 1}).error(), "\"example.com\" is not an IP address");
}

TEST(Net, ListenAddresses) {
  EXPECT_EQ(listen_address({"", 1}).value().to_string(), "0.0.0.0");
  EXPECT_EQ(listen_address({"", 1}, true).value().to_string(), "::");
  EXPECT_EQ(listen_address({"localhost", 1}).value().to_string(), "127.0.0.1");
  EXPECT_EQ(format_host_port("::1", 80), "[::1]:80");
  EXPECT_EQ(format_host_port("10.0.0.1", 80), "10.0.0.1:80");
}
