#include "bmc_setup.hpp"

#include <gtest/gtest.h>

namespace ferrum::agent {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(IpmiMessages, Requests) {
  Bytes name = ipmi_msg::set_user_name(3, "ferrum");
  ASSERT_EQ(name.size(), 17u);
  EXPECT_EQ(name[0], 3);
  EXPECT_EQ(std::string(name.begin() + 1, name.begin() + 7), "ferrum");
  EXPECT_EQ(name[7], 0);
  Bytes pass = ipmi_msg::set_user_password(3, "abcDEF123");
  ASSERT_EQ(pass.size(), 22u);
  EXPECT_EQ(pass[0], 0x83);  // 20-byte password form
  EXPECT_EQ(pass[1], 0x02);
  EXPECT_EQ(pass[2], 'a');
  EXPECT_EQ(pass[21], 0);
  EXPECT_EQ(ipmi_msg::enable_user(3), (Bytes{3, 0x01}));
  EXPECT_EQ(ipmi_msg::set_user_access_admin(1, 3), (Bytes{0xB1, 3, 0x04, 0x00}));
}

TEST(IpmiMessages, Responses) {
  EXPECT_TRUE(ipmi_msg::is_lan_channel(Bytes{1, 0x04, 0x01, 0x80, 0xF2, 0x1B, 0x00, 0, 0}));
  EXPECT_FALSE(ipmi_msg::is_lan_channel(Bytes{0x0F, 0x0C}));  // system interface
  EXPECT_FALSE(ipmi_msg::is_lan_channel(Bytes{1}));
  EXPECT_EQ(ipmi_msg::ipv4_from_lan_param(Bytes{0x11, 10, 77, 0, 50}), "10.77.0.50");
  EXPECT_EQ(ipmi_msg::ipv4_from_lan_param(Bytes{0x11, 10}), "");
  Bytes user(16, 0);
  user[0] = 'a';
  user[1] = 'd';
  EXPECT_EQ(ipmi_msg::user_name(user), "ad");
  EXPECT_EQ(ipmi_msg::user_name(Bytes(16, 0)), "");
  EXPECT_EQ(ipmi_msg::max_user_ids(Bytes{0x4A, 2, 1, 0x14}), 10);
}

TEST(RandomPassword, AlphabetAndLength) {
  auto a = random_password();
  auto b = random_password();
  EXPECT_EQ(a.size(), 16u);
  EXPECT_NE(a, b);
  for (char c : a) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << c;
}

}  // namespace
}  // namespace ferrum::agent
