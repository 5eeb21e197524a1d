#include "ferrum/talos_kernel_args.hpp"

#include <algorithm>

namespace ferrum::talos {

std::vector<std::string> sidero_default_environment_args() {
  std::vector<std::string> args(kDefaultArgs.begin(), kDefaultArgs.end());
  for (std::string_view a : {"console=tty0", "console=ttyS0", "earlyprintk=ttyS0",
                             "initrd=initramfs.xz", "talos.platform=metal"}) {
    args.emplace_back(a);
  }
  std::sort(args.begin(), args.end());  // Go's sort.Strings: bytewise, as std::string's <
  return args;
}

std::vector<std::string> kspp_violations(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& req : kKsppRequired) {
    const std::string* first = nullptr;
    for (const auto& a : args) {
      if (std::string_view(a).substr(0, a.find('=')) == req.key) {
        first = &a;
        break;
      }
    }
    std::string key(req.key);
    if (first == nullptr) {
      out.push_back("KSPP kernel parameter " + key + " is required");
      continue;
    }
    auto eq = first->find('=');
    std::string value = eq == std::string::npos ? std::string() : first->substr(eq + 1);
    if (value != req.value) {
      out.push_back("KSPP kernel parameter " + key + " was found with value " + value +
                    ", expected " + std::string(req.value));
    }
  }
  return out;
}

}  // namespace ferrum::talos
