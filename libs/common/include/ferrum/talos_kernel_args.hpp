#pragma once
// Talos' kernel command line as Ferrum composes and checks it: the argument keys the daemons
// agree on (a contract: ferrum-ipxe-http writes them, Talos reads them, ferrum-metadata and
// ferrum-linkd serve what they point at), Talos' own defaults, and the KSPP rule Talos
// enforces at boot on metal. Pure, no I/O.
//
// Upstream (siderolabs/talos, release-1.8):
//   pkg/machinery/constants/constants.go  KernelParamConfig, KernelParamSideroLink, ...
//   pkg/machinery/kernel/kernel.go        DefaultArgs
//   pkg/kernel/kspp/kspp.go               RequiredKSPPKernelParameters, EnforceKSPPKernelParameters
//   github.com/siderolabs/go-procfs procfs/cmdline.go  how a command line is split into keys

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace ferrum::talos {

inline constexpr std::string_view kArgConfig = "talos.config";
inline constexpr std::string_view kArgSideroLinkApi = "siderolink.api";
inline constexpr std::string_view kArgLoggingKernel = "talos.logging.kernel";
inline constexpr std::string_view kArgEventsSink = "talos.events.sink";
inline constexpr std::string_view kArgPlatform = "talos.platform";

// kernel.DefaultArgs of Talos 1.7/1.8 (every quirk of those releases on: IMA supported,
// init_on_alloc kept, nvme_core.io_timeout everywhere).
inline constexpr std::array<std::string_view, 9> kDefaultArgs = {"init_on_alloc=1",
                                                                 "slab_nomerge=",
                                                                 "pti=on",
                                                                 "consoleblank=0",
                                                                 "nvme_core.io_timeout=4294967295",
                                                                 "printk.devkmsg=on",
                                                                 "ima_template=ima-ng",
                                                                 "ima_appraise=fix",
                                                                 "ima_hash=sha512"};

// The args of the `default` Environment as Sidero creates it (EnvironmentDefaultSpec in
// app/sidero-controller-manager/api/v1alpha2/environment_types.go): kDefaultArgs plus
// console=tty0 console=ttyS0 earlyprintk=ttyS0 initrd=initramfs.xz talos.platform=metal,
// sorted as Sidero sorts them (sort.Strings). initrd= is what lets an EFI-stub kernel booted
// by Debian's iPXE find its initrd.
std::vector<std::string> sidero_default_environment_args();

// A KSPP parameter Talos requires on its command line, with the value the first occurrence
// must have ("" for a bare `slab_nomerge` or `slab_nomerge=`).
struct RequiredParameter {
  std::string_view key;
  std::string_view value;
};
inline constexpr std::array<RequiredParameter, 2> kKsppRequired = {
    RequiredParameter{"slab_nomerge", ""}, RequiredParameter{"pti", "on"}};

// Talos' EnforceKSPPKernelParameters applied to a command line given as words: for each
// required key, the value of its first occurrence (go-procfs splits a word at its first '=',
// a word without '=' has the value "") must equal the required value. Returns Talos' own
// messages, one per failing key, in kKsppRequired order ("KSPP kernel parameter slab_nomerge
// is required", "KSPP kernel parameter pti was found with value off, expected on"); empty
// when Talos would boot.
std::vector<std::string> kspp_violations(const std::vector<std::string>& args);

}  // namespace ferrum::talos
