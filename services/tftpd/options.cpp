#include "options.hpp"

#include <algorithm>
#include <string>

namespace ferrum::tftp {

Negotiated negotiate(const Request& request, const OptionLimits& limits,
                     std::uint64_t transfer_size) {
  Negotiated n;
  const auto& o = request.options;
  for (const auto& name : request.option_order) {
    if (name == "blksize" && o.blksize) {
      n.blksize = std::clamp(*o.blksize, kMinBlksize, std::max(kMinBlksize, limits.max_blksize));
      n.oack.emplace_back(name, std::to_string(n.blksize));
    } else if (name == "tsize" && o.tsize) {
      n.oack.emplace_back(name, std::to_string(transfer_size));
    } else if (name == "timeout" && o.timeout) {
      n.timeout_seconds = *o.timeout;
      n.oack.emplace_back(name, std::to_string(*o.timeout));
    } else if (name == "windowsize" && o.windowsize) {
      n.windowsize = std::clamp(*o.windowsize, kMinWindowsize,
                                std::max(kMinWindowsize, limits.max_windowsize));
      n.oack.emplace_back(name, std::to_string(n.windowsize));
    }
  }
  return n;
}

}  // namespace ferrum::tftp
