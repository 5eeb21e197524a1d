#include "ipmi_driver.hpp"

namespace ferrum::bmcd {

IpmiDriver::IpmiDriver(Ipmi& ipmi, SessionPool& pool, IpmiEndpoint ep,
                       std::chrono::milliseconds timeout)
    : ipmi_(ipmi),
      pool_(pool),
      ep_(std::move(ep)),
      key_(SessionPool::key_of(ep_)),
      timeout_(timeout) {}

IpmiDriver::~IpmiDriver() {
  if (session_) pool_.put(key_, std::move(session_));
}

Expected<IpmiSession*, BmcError> IpmiDriver::session() {
  if (session_) return session_.get();
  session_ = pool_.take(key_);
  reused_ = session_ != nullptr;
  if (session_) return session_.get();
  auto s = ipmi_.open(ep_, timeout_);
  if (!s) return unexpected(s.error());
  session_ = std::move(*s);
  return session_.get();
}

void IpmiDriver::after_error(const BmcError& e) {
  if (e.kind != BmcErrorKind::kBmcError) session_.reset();
}

namespace {

const BmcError* error_of(const Expected<bool, BmcError>& r) { return r ? nullptr : &r.error(); }
const BmcError* error_of(const std::optional<BmcError>& r) { return r ? &*r : nullptr; }

template <typename R>
R failure(const BmcError& e) {
  if constexpr (std::is_same_v<R, std::optional<BmcError>>) {
    return e;
  } else {
    return unexpected(e);
  }
}

}  // namespace

// A pooled session may have been dropped by the BMC while idle: when a reused session times
// out, the step is tried once more on a fresh session before the error counts.
template <typename R, typename Call>
R IpmiDriver::step(Call call) {
  for (int round = 0;; ++round) {
    auto s = session();
    if (!s) return failure<R>(s.error());
    bool was_reused = reused_;
    R r = call(**s);
    const BmcError* err = error_of(r);
    if (!err) return r;
    BmcError e = *err;
    after_error(e);
    reused_ = false;
    if (!(was_reused && round == 0 && e.kind == BmcErrorKind::kTimeout)) return r;
  }
}

Expected<bool, BmcError> IpmiDriver::powered_on() {
  return step<Expected<bool, BmcError>>([](IpmiSession& s) { return s.power_is_on(); });
}

std::optional<BmcError> IpmiDriver::chassis(ChassisAction action) {
  return step<std::optional<BmcError>>(
      [action](IpmiSession& s) { return s.chassis_control(action); });
}

std::optional<BmcError> IpmiDriver::set_boot(BootDevice device, BootMode mode) {
  return step<std::optional<BmcError>>(
      [device, mode](IpmiSession& s) { return s.set_boot_flags(device, mode); });
}

}  // namespace ferrum::bmcd
