#pragma once
// The real Ipmi: libfreeipmi's in-band driver on the OpenIPMI device (/dev/ipmi0).
#include <freeipmi/freeipmi.h>

#include <memory>

#include "bmc_setup.hpp"

namespace ferrum::agent {

class FreeIpmiInband final : public Ipmi {
 public:
  // Errors name the device and freeipmi's message.
  static Expected<std::unique_ptr<FreeIpmiInband>, std::string> open(const std::string& device);
  ~FreeIpmiInband() override;
  Expected<std::vector<std::uint8_t>, std::string> call(std::uint8_t netfn, std::uint8_t cmd,
                                                        const std::vector<std::uint8_t>& data,
                                                        const char* what) override;

 private:
  explicit FreeIpmiInband(ipmi_ctx_t ctx) : ctx_(ctx) {}
  ipmi_ctx_t ctx_;
};

}  // namespace ferrum::agent
