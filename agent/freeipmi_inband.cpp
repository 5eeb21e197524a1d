#include "freeipmi_inband.hpp"

#include <cstdio>
#include <memory>

namespace ferrum::agent {

Expected<std::unique_ptr<FreeIpmiInband>, std::string> FreeIpmiInband::open(
    const std::string& device) {
  ipmi_ctx_t ctx = ipmi_ctx_create();
  if (ctx == nullptr) return unexpected(std::string("ipmi_ctx_create failed"));
  if (ipmi_ctx_open_inband(ctx, IPMI_DEVICE_OPENIPMI, 0, 0, 0, device.c_str(), 0, 0) < 0) {
    std::string err = "open " + device + ": " + ipmi_ctx_errormsg(ctx);
    ipmi_ctx_destroy(ctx);
    return unexpected(err);
  }
  return std::unique_ptr<FreeIpmiInband>(new FreeIpmiInband(ctx));
}

FreeIpmiInband::~FreeIpmiInband() {
  ipmi_ctx_close(ctx_);
  ipmi_ctx_destroy(ctx_);
}

Expected<std::vector<std::uint8_t>, std::string> FreeIpmiInband::call(
    std::uint8_t netfn, std::uint8_t cmd, const std::vector<std::uint8_t>& data, const char* what) {
  std::vector<std::uint8_t> rq;
  rq.push_back(cmd);
  rq.insert(rq.end(), data.begin(), data.end());
  std::uint8_t rs[256];
  int n = ipmi_cmd_raw(ctx_, 0, netfn, rq.data(), static_cast<unsigned>(rq.size()), rs, sizeof rs);
  if (n < 0) return unexpected(std::string(what) + ": " + ipmi_ctx_errormsg(ctx_));
  // The response starts with the command byte and the completion code.
  if (n < 2) return unexpected(std::string(what) + ": short response");
  if (rs[1] != 0) {
    char cc[8];
    std::snprintf(cc, sizeof cc, "0x%02x", rs[1]);
    return unexpected(std::string(what) + ": completion code " + cc);
  }
  return std::vector<std::uint8_t>(rs + 2, rs + n);
}

}  // namespace ferrum::agent
