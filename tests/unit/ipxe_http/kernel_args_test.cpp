#include "kernel_args.hpp"

#include <gtest/gtest.h>

namespace ferrum::ipxe {
namespace {

using V = std::vector<std::string>;

TEST(KernelArgs, OverrideReplacesEveryEntryOfAKeyInPlace) {
  struct Case {
    V base, overrides, want;
  } cases[] = {
      {{"console=tty0", "console=ttyS0", "ip=dhcp"},
       {"console=ttyS1,115200"},
       {"console=ttyS1,115200", "ip=dhcp"}},
      {{"a=1", "b=2"}, {"c=3"}, {"a=1", "b=2", "c=3"}},
      {{"a=1", "b=2"}, {"b=9", "b=10", "a=0"}, {"a=0", "b=9", "b=10"}},
      {{"quiet", "a=1"}, {"quiet"}, {"quiet", "a=1"}},
      {{}, {}, {}},
  };
  for (const auto& c : cases) EXPECT_EQ(override_args(c.base, c.overrides), c.want);
}

TEST(KernelArgs, AppendUnlessSetKeepsTheEnvironmentsOwn) {
  V args{"talos.config=http://mine/"};
  append_unless_set(args, "talos.config=http://ferrum/");
  append_unless_set(args, "siderolink.api=x:1");
  EXPECT_EQ(args, (V{"talos.config=http://mine/", "siderolink.api=x:1"}));
}

TEST(KernelArgs, SplitAndJoin) {
  EXPECT_EQ(split_args("  a=1\tb  c=\n"), (V{"a=1", "b", "c="}));
  EXPECT_EQ(join_args({"a", "b=1"}), "a b=1");
  EXPECT_EQ(arg_key("a=b=c"), "a");
  EXPECT_EQ(arg_key("quiet"), "quiet");
}

}  // namespace
}  // namespace ferrum::ipxe
