#pragma once
// The operations of the Power service as sequences of driver steps, with retries (pure: the
// driver and the waiting are injected, so every path is table-tested without a BMC or time).
//
// Contract: each driver step is retried after backoff_delay() only when it timed out, at most
// `retries` times, and only while `wait` agrees (it returns false when the caller's deadline
// would pass or bmcd is stopping); then the last error is returned. A result is only ever
// what the BMC reported or acknowledged.

#include <chrono>
#include <functional>

#include "power_driver.hpp"

namespace ferrum::bmcd {

enum class Op { kPowerOn, kPowerOff, kPowerCycle, kPowerState, kSetBootDevice };
std::string_view op_name(Op op);

struct OpRequest {
  Op op = Op::kPowerState;
  BootDevice device = BootDevice::kPxe;
  BootMode mode = BootMode::kBios;
};

struct OpResult {
  bool powered_on = false;           // kPowerState: what the BMC said
  bool powered_on_from_off = false;  // kPowerCycle: was off, so it was powered on instead
  bool command_sent = false;         // a chassis/boot command went out (false: already there)
};

struct RetryPolicy {
  int retries = 2;
  std::chrono::milliseconds base{200};
  std::chrono::milliseconds cap{2000};
};

// Sleeps for the backoff; false means "give up now".
using Wait = std::function<bool(std::chrono::milliseconds)>;

Expected<OpResult, BmcError> run_op(const OpRequest& req, PowerDriver& driver,
                                    const RetryPolicy& policy, const Wait& wait);

}  // namespace ferrum::bmcd
