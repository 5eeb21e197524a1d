// siderolink.api= as internal/pkg/endpoint/endpoint.go (Talos v1.8) parses it.
#include "siderolink_endpoint.hpp"

#include <gtest/gtest.h>

namespace ferrum::talos_node {
namespace {

TEST(SideroLinkEndpoint, Forms) {
  auto a = parse_siderolink_endpoint("grpc://10.77.0.1:8099?jointoken=abc%2B1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "10.77.0.1:8099");
  EXPECT_TRUE(a->insecure);
  EXPECT_EQ(a->join_token, "abc+1");

  auto b = parse_siderolink_endpoint("10.0.0.1:8099");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "10.0.0.1:8099");
  EXPECT_TRUE(b->insecure);
  EXPECT_EQ(b->join_token, "");

  auto c = parse_siderolink_endpoint("https://link.example.com?jointoken=t&x=y");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "link.example.com:443");
  EXPECT_FALSE(c->insecure);
  EXPECT_EQ(c->join_token, "t");

  auto d = parse_siderolink_endpoint("grpc://[fd00::1]:8099");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->host, "[fd00::1]:8099");

  EXPECT_FALSE(d->tunnel);

  auto e = parse_siderolink_endpoint("grpc://a:1?grpc_tunnel=true&jointoken=x&jointoken=y");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->tunnel);
  EXPECT_EQ(e->join_token, "x");

  EXPECT_FALSE(parse_siderolink_endpoint("grpc://"));
}

}  // namespace
}  // namespace ferrum::talos_node
