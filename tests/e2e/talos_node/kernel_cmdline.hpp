#pragma once
// The kernel command line as the peer reads it, and Talos' refusal to boot without its KSPP
// parameters. Pure.
//
// Upstream:
//   siderolabs/go-procfs procfs/cmdline.go   words split at spaces, key = up to the first '=',
//                                            the first occurrence of a key is what Get().First()
//                                            sees
//   siderolabs/talos v1.8 pkg/kernel/kspp/kspp.go  EnforceKSPPKernelParameters (the rules are
//       ferrum::talos::kspp_violations in libs/common)
//   siderolabs/talos v1.8 internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_controller.go
//       runTask / run: "task %s (%s): failed: %s", "%s sequence: failed", and the error
//       "error running phase %d in %s sequence: task %s: failed, %w"; the task is
//       enforceKSPPRequirements, 1st of the 7 tasks of phase 1 (systemRequirements) of
//       Sequencer.Initialize (v1alpha1_sequencer.go, v1alpha1_sequencer_tasks.go)
//   github.com/hashicorp/go-multierror  ListFormatFunc

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferrum::talos_node {

std::vector<std::string> split_cmdline(std::string_view text);

// The value of the first occurrence of `key` ("" for a bare word), nothing when absent.
std::optional<std::string> cmdline_value(const std::vector<std::string>& words,
                                         std::string_view key);

// What machined logs when the KSPP check fails, before main.go's handle() counts down to the
// reboot: the task's failure, the sequence's, and the error handle() prints last. Empty when
// Talos would boot.
std::vector<std::string> kspp_refusal(const std::vector<std::string>& words);

}  // namespace ferrum::talos_node
