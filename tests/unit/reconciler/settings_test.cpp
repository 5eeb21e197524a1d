#include "settings.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "ferrum/talos_kernel_args.hpp"

namespace ferrum::reconciler {
namespace {

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The `default` Environment boots Talos: Sidero's args (EnvironmentDefaultSpec in
// app/sidero-controller-manager/api/v1alpha2/environment_types.go), every Talos default of
// pkg/machinery/kernel/kernel.go, and the KSPP pair Talos enforces (pkg/kernel/kspp/kspp.go).
TEST(Settings, DefaultEnvironmentArgsAreSidero_s) {
  flags::FlagSet f("t", "t");
  Settings s;
  add_flags(f, s);
  flags::EnvLookup none = [](const std::string&) { return std::optional<std::string>(); };
  ASSERT_EQ(f.parse(std::vector<std::string>{}, none).outcome, flags::Outcome::kRun);
  EXPECT_EQ(validate(s), "");
  auto args = words(s.default_environment_args);
  EXPECT_EQ(args, talos::sidero_default_environment_args());
  for (auto d : talos::kDefaultArgs) {
    EXPECT_NE(std::find(args.begin(), args.end(), std::string(d)), args.end()) << d;
  }
  for (const char* extra : {"console=tty0", "console=ttyS0", "earlyprintk=ttyS0",
                            "initrd=initramfs.xz", "talos.platform=metal"}) {
    EXPECT_NE(std::find(args.begin(), args.end(), std::string(extra)), args.end()) << extra;
  }
  EXPECT_TRUE(talos::kspp_violations(args).empty());
}

}  // namespace
}  // namespace ferrum::reconciler
