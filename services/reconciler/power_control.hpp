#pragma once
// Power and boot-device control of Servers, as the Server controller needs it. One real
// implementation (BmcdPower: ferrum-bmcd over gRPC, proto/power.proto); tests of the
// controller use ferrum-bmcd itself.
//
// Contract: every call names a Server; bmcd reads its BMC. An error's kind says what the
// controller does next: kNoBmc (the Server has no usable BMC: report once, wait for a
// change), kGone (the Server vanished), kUnavailable / kFailed (retry with backoff).

#include <chrono>
#include <memory>
#include <string>

#include "ferrum/expected.hpp"

namespace ferrum::reconciler {

struct PowerError {
  enum class Kind { kNoBmc, kGone, kUnavailable, kFailed };
  Kind kind = Kind::kFailed;
  std::string message;  // "UNAVAILABLE: ..." as bmcd said it
};

struct Done {};

class PowerControl {
 public:
  virtual ~PowerControl() = default;
  // True when on.
  virtual Expected<bool, PowerError> power_state(const std::string& server) = 0;
  virtual Expected<Done, PowerError> power_on(const std::string& server) = 0;
  virtual Expected<Done, PowerError> power_off(const std::string& server) = 0;
  virtual Expected<Done, PowerError> power_cycle(const std::string& server) = 0;
  // PXE for the next boot, in `mode` ("uefi" | "bios").
  virtual Expected<Done, PowerError> set_pxe_boot(const std::string& server,
                                                  const std::string& mode) = 0;
};

// ferrum-bmcd at `endpoint` (host:port, insecure channel on the cluster network), each call
// with `deadline`.
std::unique_ptr<PowerControl> make_bmcd_power(const std::string& endpoint,
                                              std::chrono::milliseconds deadline);

}  // namespace ferrum::reconciler
