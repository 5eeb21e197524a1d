#include "kernel_cmdline.hpp"

#include <sstream>

#include "ferrum/talos_kernel_args.hpp"
#include "machine_config.hpp"

namespace ferrum::talos_node {

std::vector<std::string> split_cmdline(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

std::optional<std::string> cmdline_value(const std::vector<std::string>& words,
                                         std::string_view key) {
  for (const auto& w : words) {
    auto eq = w.find('=');
    if (std::string_view(w).substr(0, eq) == key) {
      return eq == std::string::npos ? std::string() : w.substr(eq + 1);
    }
  }
  return std::nullopt;
}

std::vector<std::string> kspp_refusal(const std::vector<std::string>& words) {
  auto violations = talos::kspp_violations(words);
  if (violations.empty()) return {};
  std::string err = multierror_text(violations);
  return {"task enforceKSPPRequirements (1/7): failed: " + err, "initialize sequence: failed",
          "error running phase 1 in initialize sequence: task 1/7: failed, " + err};
}

}  // namespace ferrum::talos_node
