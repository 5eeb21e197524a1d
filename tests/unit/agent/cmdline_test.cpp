#include "cmdline.hpp"

#include <gtest/gtest.h>

namespace ferrum::agent {
namespace {

TEST(SplitCmdline, QuotesAndBareWords) {
  auto kv = split_cmdline("console=ttyS0 quiet  a=\"b c\" x= \n");
  ASSERT_EQ(kv.size(), 4u);
  EXPECT_EQ(kv[0], (std::pair<std::string, std::string>{"console", "ttyS0"}));
  EXPECT_EQ(kv[1], (std::pair<std::string, std::string>{"quiet", ""}));
  EXPECT_EQ(kv[2], (std::pair<std::string, std::string>{"a", "b c"}));
  EXPECT_EQ(kv[3], (std::pair<std::string, std::string>{"x", ""}));
}

TEST(NormalizeMac, Forms) {
  EXPECT_EQ(normalize_mac("52:54:00:AB:cd:01"), "52:54:00:ab:cd:01");
  EXPECT_EQ(normalize_mac("52-54-00-ab-cd-01"), "52:54:00:ab:cd:01");
  EXPECT_EQ(normalize_mac("525400abcd01"), "52:54:00:ab:cd:01");
  EXPECT_EQ(normalize_mac("52:54:00:ab:cd"), "");
  EXPECT_EQ(normalize_mac("52:54-00:ab:cd:01"), "");
  EXPECT_EQ(normalize_mac("zz:54:00:ab:cd:01"), "");
}

// The exact arguments ferrum-ipxe-http renders for the agent (boot_decision.cpp agent_args).
TEST(ParseAgentArgs, WhatIpxeHttpPasses) {
  auto a = parse_agent_args(
      "console=tty0 console=ttyS0 initrd=initramfs.xz ip=dhcp panic=30 printk.devkmsg=on "
      "ferrum.mac=52:54:00:12:34:58 ferrum.endpoint=10.77.0.1:50100 quiet\n");
  ASSERT_TRUE(a) << a.error();
  EXPECT_EQ(a->mac, "52:54:00:12:34:58");
  EXPECT_EQ(a->endpoint, "10.77.0.1:50100");
  EXPECT_EQ(a->wipe_parallel, 4);
  EXPECT_TRUE(a->reboot);
}

TEST(ParseAgentArgs, OptionsAndLastWins) {
  auto a = parse_agent_args(
      "ferrum.mac=aa:bb:cc:dd:ee:ff ferrum.endpoint=[fd00::1]:50100 ferrum.wipe_parallel=2 "
      "ferrum.reboot=0 ferrum.endpoint=registry.local:50101");
  ASSERT_TRUE(a) << a.error();
  EXPECT_EQ(a->endpoint, "registry.local:50101");
  EXPECT_EQ(a->wipe_parallel, 2);
  EXPECT_FALSE(a->reboot);
  auto v6 = parse_agent_args("ferrum.mac=aa:bb:cc:dd:ee:ff ferrum.endpoint=[fd00::1]:50100");
  ASSERT_TRUE(v6) << v6.error();
  EXPECT_EQ(v6->endpoint, "[fd00::1]:50100");
}

TEST(ParseAgentArgs, ErrorsNameTheParameter) {
  struct Case {
    const char* cmdline;
    const char* error;
  } cases[] = {
      {"ferrum.endpoint=1.2.3.4:1", "ferrum.mac: missing from the kernel command line"},
      {"ferrum.mac=xx ferrum.endpoint=1.2.3.4:1",
       "ferrum.mac \"xx\": not a MAC address (aa:bb:cc:dd:ee:ff)"},
      {"ferrum.mac=aa:bb:cc:dd:ee:ff", "ferrum.endpoint: missing from the kernel command line"},
      {"ferrum.mac=aa:bb:cc:dd:ee:ff ferrum.endpoint=1.2.3.4",
       "ferrum.endpoint \"1.2.3.4\": not host:port"},
      {"ferrum.mac=aa:bb:cc:dd:ee:ff ferrum.endpoint=host:0",
       "ferrum.endpoint \"host:0\": not host:port"},
      {"ferrum.mac=aa:bb:cc:dd:ee:ff ferrum.endpoint=fd00::1:5",
       "ferrum.endpoint \"fd00::1:5\": not host:port"},
      {"ferrum.mac=aa:bb:cc:dd:ee:ff ferrum.endpoint=h:1 ferrum.wipe_parallel=0",
       "ferrum.wipe_parallel \"0\": must be 1..64"},
      {"ferrum.mac=aa:bb:cc:dd:ee:ff ferrum.endpoint=h:1 ferrum.reboot=maybe",
       "ferrum.reboot \"maybe\": must be 0 or 1"},
  };
  for (const auto& c : cases) {
    auto a = parse_agent_args(c.cmdline);
    ASSERT_FALSE(a) << c.cmdline;
    EXPECT_EQ(a.error(), c.error) << c.cmdline;
  }
}

}  // namespace
}  // namespace ferrum::agent
