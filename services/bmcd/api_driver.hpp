#pragma once
// PowerDriver for Sidero's "api" method (VMs and simulators): POST <base>/poweron, /poweroff,
// /reboot, /pxeboot; GET <base>/status -> {"PoweredOn": bool}. Over libcurl, one request per
// step, each with the call's timeout and a 64 KiB response limit.
//
// The method has no "boot from disk" request: its /pxeboot is one-shot, so a machine boots
// from disk unless PXE was asked for; SetBootDevice(disk) therefore sends nothing and succeeds.
// BootMode is ignored (the method has no notion of it).

#include <chrono>
#include <string>
#include <string_view>

#include "power_driver.hpp"

namespace ferrum::bmcd {

// Parses a /status body; the error says what was wrong with it.
Expected<bool, std::string> parse_api_status(std::string_view body);

class ApiDriver final : public PowerDriver {
 public:
  ApiDriver(std::string base_url, std::chrono::milliseconds timeout)
      : base_(std::move(base_url)), timeout_(timeout) {}

  Expected<bool, BmcError> powered_on() override;
  std::optional<BmcError> chassis(ChassisAction action) override;
  std::optional<BmcError> set_boot(BootDevice device, BootMode mode) override;

 private:
  // The response body of a 2xx answer, else the error.
  Expected<std::string, BmcError> request(bool post, std::string_view path);

  std::string base_;
  std::chrono::milliseconds timeout_;
};

}  // namespace ferrum::bmcd
