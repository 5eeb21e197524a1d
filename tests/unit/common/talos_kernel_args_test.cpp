#include "ferrum/talos_kernel_args.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace ferrum::talos {
namespace {

// Talos release-1.8 pkg/machinery/kernel/kernel.go DefaultArgs, word for word.
TEST(TalosKernelArgs, SideroDefaultEnvironmentHasEveryTalosDefault) {
  auto args = sidero_default_environment_args();
  for (const char* want : {"init_on_alloc=1", "slab_nomerge=", "pti=on", "consoleblank=0",
                           "nvme_core.io_timeout=4294967295", "printk.devkmsg=on",
                           "ima_template=ima-ng", "ima_appraise=fix", "ima_hash=sha512",
                           // Sidero's EnvironmentDefaultSpec additions (api/v1alpha2/
                           // environment_types.go)
                           "console=tty0", "console=ttyS0", "earlyprintk=ttyS0",
                           "initrd=initramfs.xz", "talos.platform=metal"}) {
    SCOPED_TRACE(want);
    EXPECT_EQ(std::count(args.begin(), args.end(), std::string(want)), 1);
  }
  EXPECT_EQ(args.size(), 14u);
  EXPECT_TRUE(std::is_sorted(args.begin(), args.end())) << "Sidero sort.Strings the args";
  EXPECT_TRUE(kspp_violations(args).empty());
}

TEST(TalosKernelArgs, SideroDefaultEnvironmentInSidero_sOrder) {
  // sort.Strings of Sidero's list, as `kubectl get environment default -o yaml` shows it.
  std::vector<std::string> want = {"console=tty0",        "console=ttyS0",
                                   "consoleblank=0",      "earlyprintk=ttyS0",
                                   "ima_appraise=fix",    "ima_hash=sha512",
                                   "ima_template=ima-ng", "init_on_alloc=1",
                                   "initrd=initramfs.xz", "nvme_core.io_timeout=4294967295",
                                   "printk.devkmsg=on",   "pti=on",
                                   "slab_nomerge=",       "talos.platform=metal"};
  EXPECT_EQ(sidero_default_environment_args(), want);
}

// pkg/kernel/kspp/kspp.go EnforceKSPPKernelParameters over go-procfs' parse: the first value
// of each key decides; a word without '=' has the value "".
TEST(TalosKernelArgs, KsppTable) {
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> want;
  };
  const std::string missing_slab = "KSPP kernel parameter slab_nomerge is required";
  const std::string missing_pti = "KSPP kernel parameter pti is required";
  const Case cases[] = {
      {{"slab_nomerge", "pti=on"}, {}},
      {{"slab_nomerge=", "pti=on"}, {}},
      {{"pti=on", "console=ttyS0", "slab_nomerge"}, {}},
      {{}, {missing_slab, missing_pti}},
      {{"console=tty0", "talos.platform=metal"}, {missing_slab, missing_pti}},
      {{"pti=on"}, {missing_slab}},
      {{"slab_nomerge"}, {missing_pti}},
      {{"slab_nomerge", "pti"}, {"KSPP kernel parameter pti was found with value , expected on"}},
      {{"slab_nomerge", "pti=off"},
       {"KSPP kernel parameter pti was found with value off, expected on"}},
      {{"slab_nomerge", "pti=ON"},
       {"KSPP kernel parameter pti was found with value ON, expected on"}},
      // Only the first occurrence counts (Parameter.First()).
      {{"slab_nomerge", "pti=off", "pti=on"},
       {"KSPP kernel parameter pti was found with value off, expected on"}},
      {{"slab_nomerge", "pti=on", "pti=off"}, {}},
      {{"slab_nomerge=1", "pti=on"},
       {"KSPP kernel parameter slab_nomerge was found with value 1, expected "}},
      // Keys are whole: these are other parameters.
      {{"slab_nomerge_x", "xpti=on", "pti.x=on"}, {missing_slab, missing_pti}},
      // The value is everything after the first '='.
      {{"slab_nomerge", "pti=on=1"},
       {"KSPP kernel parameter pti was found with value on=1, expected on"}},
  };
  for (const auto& c : cases) {
    std::string trace;
    for (const auto& a : c.args) trace += a + " ";
    SCOPED_TRACE(trace);
    EXPECT_EQ(kspp_violations(c.args), c.want);
  }
}

}  // namespace
}  // namespace ferrum::talos
