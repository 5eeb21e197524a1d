#include "ipxe_script.hpp"

#include <gtest/gtest.h>

namespace ferrum::ipxe {
namespace {

TEST(IpxeScript, BootScriptChainsToIpxeWithEveryParameter) {
  auto s = render_boot_script("10.77.0.1:8081");
  EXPECT_EQ(s.rfind("#!ipxe\n", 0), 0u);
  EXPECT_NE(
      s.find("chain --replace http://10.77.0.1:8081/ipxe?uuid=${uuid}&mac=${net${idx}/mac:hexhyp}"
             "&domain=${domain}&hostname=${hostname}&serial=${serial}&arch=${buildarch}"),
      std::string::npos);
  // Optional: iPXE builds without iflinkwait must still reach dhcp.
  EXPECT_NE(s.find("iflinkwait --timeout 5000 net${idx} ||\n"), std::string::npos);
  EXPECT_NE(s.find("dhcp net${idx}"), std::string::npos);
  EXPECT_NE(s.find("\nreboot\n"), std::string::npos);
  EXPECT_LT(s.size(), kMaxScriptBytes);
  EXPECT_NE(render_boot_script("[fd77::1]:8081").find("http://[fd77::1]:8081/ipxe?"),
            std::string::npos);
}

TEST(IpxeScript, EnvironmentScriptShape) {
  auto s = render_environment_script("default", {"a=1", "b"}, "why");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(*s,
            "#!ipxe\necho ferrum: why\nkernel /env/default/vmlinuz a=1 b\n"
            "initrd /env/default/initramfs.xz\nboot\n");
  auto bare = render_environment_script("e", {}, "");
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(*bare, "#!ipxe\nkernel /env/e/vmlinuz\ninitrd /env/e/initramfs.xz\nboot\n");
}

TEST(IpxeScript, LimitsAreEnforced) {
  std::vector<std::string> args(1, std::string(kMaxKernelCommandLine, 'x'));
  EXPECT_TRUE(render_environment_script("e", args, "").has_value());
  args.push_back("y");
  auto too_long = render_environment_script("e", args, "");
  ASSERT_FALSE(too_long.has_value());
  EXPECT_NE(too_long.error().find("kernel command line is 2049 bytes"), std::string::npos);
  auto newline = render_environment_script("e", {"a", "b\nshell"}, "");
  ASSERT_FALSE(newline.has_value());
  EXPECT_NE(newline.error().find("kernel arg 1"), std::string::npos);
}

TEST(IpxeScript, NotesCannotInjectCommands) {
  auto s = render_exit_script("x\nshell ${net0/mac}");
  EXPECT_EQ(s, "#!ipxe\necho ferrum: xshell {net0/mac}\nexit\n");
  EXPECT_EQ(render_sanboot_script(""), "#!ipxe\nsanboot --no-describe --drive 0x80\n");
}

}  // namespace
}  // namespace ferrum::ipxe
