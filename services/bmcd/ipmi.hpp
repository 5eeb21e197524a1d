#pragma once
// The narrow IPMI interface bmcd needs (one real implementation over libfreeipmi,
// freeipmi_client.hpp; a scripted double in the unit tests).
//
// Contract: open() establishes an authenticated session (RMCP+ for lanplus) or fails with a
// BmcError naming the endpoint: kAuth for wrong user/password/privilege, kTimeout when the
// BMC did not answer in `timeout`, kUnreachable when nothing listens. A session is used by
// one thread at a time; any error other than kBmcError leaves it unfit for reuse.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "bmc_target.hpp"
#include "power_driver.hpp"

namespace ferrum::bmcd {

struct IpmiEndpoint {
  std::string host;
  std::uint16_t port = 623;
  IpmiInterface interface = IpmiInterface::kLanplus;
  std::string user;
  std::string pass;
  std::string describe() const;  // "ipmi host:port" (no credentials)
};

class IpmiSession {
 public:
  virtual ~IpmiSession() = default;
  virtual Expected<bool, BmcError> power_is_on() = 0;
  virtual std::optional<BmcError> chassis_control(ChassisAction action) = 0;
  // Boot flags parameter (5): valid, next boot only, EFI bit for kUefi.
  virtual std::optional<BmcError> set_boot_flags(BootDevice device, BootMode mode) = 0;
};

class Ipmi {
 public:
  virtual ~Ipmi() = default;
  virtual Expected<std::unique_ptr<IpmiSession>, BmcError> open(
      const IpmiEndpoint& ep, std::chrono::milliseconds timeout) = 0;
};

}  // namespace ferrum::bmcd
