#include "freeipmi_client.hpp"

#include <fmt/format.h>
#include <freeipmi/freeipmi.h>

#include <algorithm>

namespace ferrum::bmcd {

std::string IpmiEndpoint::describe() const { return fmt::format("ipmi {}:{}", host, port); }

namespace {

// libfreeipmi's context error -> what bmcd promises callers.
BmcError ctx_error(ipmi_ctx_t ctx, const IpmiEndpoint& ep, std::string_view what) {
  int err = ipmi_ctx_errnum(ctx);
  BmcErrorKind kind = BmcErrorKind::kInternal;
  switch (err) {
    case IPMI_ERR_USERNAME_INVALID:
    case IPMI_ERR_PASSWORD_INVALID:
    case IPMI_ERR_K_G_INVALID:
    case IPMI_ERR_PRIVILEGE_LEVEL_INSUFFICIENT:
    case IPMI_ERR_PRIVILEGE_LEVEL_CANNOT_BE_OBTAINED:
    case IPMI_ERR_AUTHENTICATION_TYPE_UNAVAILABLE:
    case IPMI_ERR_PASSWORD_VERIFICATION_TIMEOUT:
      kind = BmcErrorKind::kAuth;
      break;
    case IPMI_ERR_CONNECTION_TIMEOUT:
    case IPMI_ERR_SESSION_TIMEOUT:
    case IPMI_ERR_MESSAGE_TIMEOUT:
    case IPMI_ERR_BMC_BUSY:
    case IPMI_ERR_DRIVER_TIMEOUT:
      kind = BmcErrorKind::kTimeout;
      break;
    case IPMI_ERR_HOSTNAME_INVALID:
    case IPMI_ERR_IPMI_2_0_UNAVAILABLE:
    case IPMI_ERR_CIPHER_SUITE_ID_UNAVAILABLE:
      kind = BmcErrorKind::kUnreachable;
      break;
    case IPMI_ERR_BAD_COMPLETION_CODE:
    case IPMI_ERR_COMMAND_INVALID_OR_UNSUPPORTED:
    case IPMI_ERR_BAD_RMCPPLUS_STATUS_CODE:
    case IPMI_ERR_IPMI_ERROR:
      kind = BmcErrorKind::kBmcError;
      break;
    default:
      kind = BmcErrorKind::kInternal;
  }
  return BmcError{kind, fmt::format("{}: {}: {}", ep.describe(), what, ipmi_ctx_errormsg(ctx))};
}

class FiidObject {
 public:
  explicit FiidObject(fiid_template_t tmpl) : obj_(fiid_obj_create(tmpl)) {}
  ~FiidObject() {
    if (obj_) fiid_obj_destroy(obj_);
  }
  FiidObject(const FiidObject&) = delete;
  FiidObject& operator=(const FiidObject&) = delete;
  fiid_obj_t get() const { return obj_; }

 private:
  fiid_obj_t obj_;
};

class FreeIpmiSession final : public IpmiSession {
 public:
  FreeIpmiSession(ipmi_ctx_t ctx, IpmiEndpoint ep, metrics::Gauge* gauge)
      : ctx_(ctx), ep_(std::move(ep)), gauge_(gauge) {
    if (gauge_) gauge_->inc();
  }
  ~FreeIpmiSession() override {
    // Close Session tells the BMC to free its slot (BMCs have only a handful).
    ipmi_ctx_close(ctx_);
    ipmi_ctx_destroy(ctx_);
    if (gauge_) gauge_->dec();
  }

  Expected<bool, BmcError> power_is_on() override {
    FiidObject rs(tmpl_cmd_get_chassis_status_rs);
    if (!rs.get()) return unexpected(BmcError{BmcErrorKind::kInternal, "out of memory"});
    if (ipmi_cmd_get_chassis_status(ctx_, rs.get()) < 0) {
      return unexpected(ctx_error(ctx_, ep_, "get chassis status"));
    }
    std::uint64_t on = 0;
    if (fiid_obj_get(rs.get(), "current_power_state.power_is_on", &on) < 0) {
      return unexpected(
          BmcError{BmcErrorKind::kProtocol,
                   ep_.describe() + ": get chassis status: no power state in answer"});
    }
    return on != 0;
  }

  std::optional<BmcError> chassis_control(ChassisAction action) override {
    FiidObject rs(tmpl_cmd_chassis_control_rs);
    if (!rs.get()) return BmcError{BmcErrorKind::kInternal, "out of memory"};
    std::uint8_t code = IPMI_CHASSIS_CONTROL_POWER_UP;
    if (action == ChassisAction::kPowerDown) code = IPMI_CHASSIS_CONTROL_POWER_DOWN;
    if (action == ChassisAction::kPowerCycle) code = IPMI_CHASSIS_CONTROL_POWER_CYCLE;
    if (ipmi_cmd_chassis_control(ctx_, code, rs.get()) < 0) {
      return ctx_error(ctx_, ep_, "chassis control");
    }
    return std::nullopt;
  }

  std::optional<BmcError> set_boot_flags(BootDevice device, BootMode mode) override {
    FiidObject rs(tmpl_cmd_set_system_boot_options_rs);
    if (!rs.get()) return BmcError{BmcErrorKind::kInternal, "out of memory"};
    std::uint8_t dev = device == BootDevice::kPxe
                           ? IPMI_SYSTEM_BOOT_OPTION_BOOT_FLAG_BOOT_DEVICE_FORCE_PXE
                           : IPMI_SYSTEM_BOOT_OPTION_BOOT_FLAG_BOOT_DEVICE_FORCE_HARD_DRIVE;
    std::uint8_t type = mode == BootMode::kUefi
                            ? IPMI_SYSTEM_BOOT_OPTION_BOOT_FLAG_BOOT_TYPE_EFI
                            : IPMI_SYSTEM_BOOT_OPTION_BOOT_FLAG_BOOT_TYPE_PC_COMPATIBLE;
    int rc = ipmi_cmd_set_system_boot_options_boot_flags(
        ctx_, IPMI_SYSTEM_BOOT_OPTIONS_PARAMETER_VALID_UNLOCKED, type,
        IPMI_SYSTEM_BOOT_OPTION_BOOT_FLAG_VALID_FOR_NEXT_BOOT,
        IPMI_SYSTEM_BOOT_OPTION_BOOT_FLAG_VALID, 0 /* lock out reset */, 0 /* screen blank */, dev,
        0 /* lock keyboard */, 0 /* cmos clear */, 0 /* console redirection: BIOS setting */,
        0 /* lock out sleep */, 0 /* password bypass */, 0 /* progress traps */,
        0 /* verbosity: default */, 0 /* lock out power button */, 0 /* mux override */,
        0 /* shared mode */, 0 /* device instance */, rs.get());
    if (rc < 0) return ctx_error(ctx_, ep_, "set boot flags");
    return std::nullopt;
  }

 private:
  ipmi_ctx_t ctx_;
  IpmiEndpoint ep_;
  metrics::Gauge* gauge_;
};

}  // namespace

Expected<std::unique_ptr<IpmiSession>, BmcError> FreeIpmi::open(const IpmiEndpoint& ep,
                                                                std::chrono::milliseconds timeout) {
  ipmi_ctx_t ctx = ipmi_ctx_create();
  if (!ctx) return unexpected(BmcError{BmcErrorKind::kInternal, "ipmi_ctx_create: out of memory"});
  // libfreeipmi takes "host:port" (and "[v6]:port") in the hostname.
  std::string host = ep.host.find(':') != std::string::npos ? "[" + ep.host + "]" : ep.host;
  host += ":" + std::to_string(ep.port);
  auto session_timeout = static_cast<unsigned int>(std::max<std::int64_t>(timeout.count(), 100));
  // Retransmit a few times within the timeout: UDP datagrams get lost.
  unsigned int retransmit = std::max(50u, session_timeout / 4);
  int rc;
  if (ep.interface == IpmiInterface::kLanplus) {
    rc = ipmi_ctx_open_outofband_2_0(
        ctx, host.c_str(), ep.user.c_str(), ep.pass.c_str(), nullptr, 0, IPMI_PRIVILEGE_LEVEL_ADMIN,
        3 /* cipher suite: HMAC-SHA1, AES */, session_timeout, retransmit,
        // Ask for ADMIN in Open Session as ipmitool does, rather
        // than "highest available": OpenIPMI's BMC (and others)
        // refuse the latter for ADMIN users.
        IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_OPEN_SESSION_PRIVILEGE, IPMI_FLAGS_DEFAULT);
  } else {
    rc = ipmi_ctx_open_outofband(ctx, host.c_str(), ep.user.c_str(), ep.pass.c_str(),
                                 IPMI_AUTHENTICATION_TYPE_MD5, IPMI_PRIVILEGE_LEVEL_ADMIN,
                                 session_timeout, retransmit, IPMI_WORKAROUND_FLAGS_DEFAULT,
                                 IPMI_FLAGS_DEFAULT);
  }
  if (rc < 0) {
    BmcError e = ctx_error(ctx, ep, "open session");
    ipmi_ctx_destroy(ctx);
    return unexpected(std::move(e));
  }
  return std::unique_ptr<IpmiSession>(new FreeIpmiSession(ctx, ep, open_sessions_));
}

}  // namespace ferrum::bmcd
