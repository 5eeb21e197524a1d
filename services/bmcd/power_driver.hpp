#pragma once
// The three things bmcd asks of any BMC, whatever the protocol. One driver object serves one
// call on one BMC; the executor guarantees no two drivers talk to the same BMC at once.

#include <optional>

#include "bmc_error.hpp"
#include "ferrum/expected.hpp"

namespace ferrum::bmcd {

enum class ChassisAction { kPowerUp, kPowerDown, kPowerCycle };
enum class BootDevice { kPxe, kDisk };
enum class BootMode { kBios, kUefi };

class PowerDriver {
 public:
  virtual ~PowerDriver() = default;
  // The chassis power state exactly as the BMC reported it.
  virtual Expected<bool, BmcError> powered_on() = 0;
  // nullopt: the BMC acknowledged the command.
  virtual std::optional<BmcError> chassis(ChassisAction action) = 0;
  // Next boot only, never persistent.
  virtual std::optional<BmcError> set_boot(BootDevice device, BootMode mode) = 0;
};

}  // namespace ferrum::bmcd
