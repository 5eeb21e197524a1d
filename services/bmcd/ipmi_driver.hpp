#pragma once
// PowerDriver over Ipmi for one call: borrows the BMC's pooled session (or opens one), and
// returns it to the pool at the end only if every step left it healthy.

#include <chrono>
#include <memory>

#include "ipmi.hpp"
#include "session_pool.hpp"

namespace ferrum::bmcd {

class IpmiDriver final : public PowerDriver {
 public:
  IpmiDriver(Ipmi& ipmi, SessionPool& pool, IpmiEndpoint ep, std::chrono::milliseconds timeout);
  ~IpmiDriver() override;

  Expected<bool, BmcError> powered_on() override;
  std::optional<BmcError> chassis(ChassisAction action) override;
  std::optional<BmcError> set_boot(BootDevice device, BootMode mode) override;

 private:
  // The session to use, opening one when there is none.
  Expected<IpmiSession*, BmcError> session();
  // Drops the session unless the error is a definite BMC answer (the session still works).
  void after_error(const BmcError& e);
  template <typename R, typename Call>
  R step(Call call);

  Ipmi& ipmi_;
  SessionPool& pool_;
  IpmiEndpoint ep_;
  std::string key_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<IpmiSession> session_;
  bool reused_ = false;
};

}  // namespace ferrum::bmcd
