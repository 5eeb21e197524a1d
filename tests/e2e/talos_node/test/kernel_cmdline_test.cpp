// The peer's reading of the command line and Talos' KSPP refusal (kernel_cmdline.hpp).
#include "kernel_cmdline.hpp"

#include <gtest/gtest.h>

namespace ferrum::talos_node {
namespace {

TEST(KernelCmdline, FirstOccurrenceCounts) {
  auto w =
      split_cmdline("console=ttyS0  pti=on slab_nomerge pti=off talos.config=http://x/c?uuid=\n");
  ASSERT_EQ(w.size(), 5u);
  EXPECT_EQ(cmdline_value(w, "pti"), "on");
  EXPECT_EQ(cmdline_value(w, "slab_nomerge"), "");
  EXPECT_EQ(cmdline_value(w, "talos.config"), "http://x/c?uuid=");
  EXPECT_EQ(cmdline_value(w, "talos"), std::nullopt);
}

struct Case {
  const char* name;
  const char* cmdline;
  std::vector<std::string> lines;
};

class KsppRefusal : public ::testing::TestWithParam<Case> {};

TEST_P(KsppRefusal, TalosMessages) {
  EXPECT_EQ(kspp_refusal(split_cmdline(GetParam().cmdline)), GetParam().lines);
}

const std::string kMissingSlab =
    "1 error occurred:\n\t* KSPP kernel parameter slab_nomerge is required\n\n";
const std::string kBoth =
    "2 errors occurred:\n\t* KSPP kernel parameter slab_nomerge is required\n\t* KSPP kernel "
    "parameter pti is required\n\n";
const std::string kPtiOff =
    "1 error occurred:\n\t* KSPP kernel parameter pti was found with value off, expected on\n\n";

std::vector<std::string> refusal(const std::string& err) {
  return {"task enforceKSPPRequirements (1/7): failed: " + err, "initialize sequence: failed",
          "error running phase 1 in initialize sequence: task 1/7: failed, " + err};
}

INSTANTIATE_TEST_SUITE_P(
    Talos, KsppRefusal,
    ::testing::Values(Case{"sidero_default", "slab_nomerge= pti=on init_on_alloc=1", {}},
                      Case{"bare_word", "slab_nomerge pti=on", {}},
                      Case{"missing_slab", "pti=on", refusal(kMissingSlab)},
                      Case{"missing_both", "console=ttyS0", refusal(kBoth)},
                      Case{"first_pti_wins", "slab_nomerge pti=off pti=on", refusal(kPtiOff)},
                      Case{"later_pti_ignored", "slab_nomerge pti=on pti=off", {}}),
    [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace ferrum::talos_node
