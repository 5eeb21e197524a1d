#pragma once
// Ipmi over libfreeipmi's out-of-band LAN 2.0 (lanplus, cipher suite 3) and LAN 1.5 contexts.

#include "ferrum/metrics.hpp"
#include "ipmi.hpp"

namespace ferrum::bmcd {

class FreeIpmi final : public Ipmi {
 public:
  // `open_sessions` counts sessions alive (may be null).
  explicit FreeIpmi(metrics::Gauge* open_sessions = nullptr) : open_sessions_(open_sessions) {}
  Expected<std::unique_ptr<IpmiSession>, BmcError> open(const IpmiEndpoint& ep,
                                                        std::chrono::milliseconds timeout) override;

 private:
  metrics::Gauge* open_sessions_;
};

}  // namespace ferrum::bmcd
