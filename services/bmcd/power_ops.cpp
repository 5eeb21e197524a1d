#include "power_ops.hpp"

namespace ferrum::bmcd {

std::string_view op_name(Op op) {
  switch (op) {
    case Op::kPowerOn:
      return "power_on";
    case Op::kPowerOff:
      return "power_off";
    case Op::kPowerCycle:
      return "power_cycle";
    case Op::kPowerState:
      return "power_state";
    case Op::kSetBootDevice:
      return "set_boot_device";
  }
  return "unknown";
}

namespace {

// Runs one step until it succeeds, fails for good, or the retries/deadline run out.
template <typename Step>
auto with_retries(const RetryPolicy& policy, const Wait& wait, Step step) -> decltype(step()) {
  for (int attempt = 0;; ++attempt) {
    auto r = step();
    const BmcError* err = nullptr;
    if constexpr (std::is_same_v<decltype(r), std::optional<BmcError>>) {
      if (!r) return r;
      err = &*r;
    } else {
      if (r) return r;
      err = &r.error();
    }
    if (!is_retryable(err->kind) || attempt >= policy.retries) return r;
    if (!wait(backoff_delay(attempt + 1, policy.base, policy.cap))) return r;
  }
}

}  // namespace

Expected<OpResult, BmcError> run_op(const OpRequest& req, PowerDriver& driver,
                                    const RetryPolicy& policy, const Wait& wait) {
  OpResult out;
  auto state = [&] { return with_retries(policy, wait, [&] { return driver.powered_on(); }); };
  auto control = [&](ChassisAction a) -> std::optional<BmcError> {
    out.command_sent = true;
    return with_retries(policy, wait, [&] { return driver.chassis(a); });
  };
  switch (req.op) {
    case Op::kPowerState: {
      auto on = state();
      if (!on) return unexpected(on.error());
      out.powered_on = *on;
      return out;
    }
    case Op::kPowerOn:
    case Op::kPowerOff: {
      bool want_on = req.op == Op::kPowerOn;
      auto on = state();
      if (!on) return unexpected(on.error());
      if (*on == want_on) {
        out.powered_on = *on;
        return out;
      }
      if (auto e = control(want_on ? ChassisAction::kPowerUp : ChassisAction::kPowerDown)) {
        return unexpected(*e);
      }
      out.powered_on = want_on;
      return out;
    }
    case Op::kPowerCycle: {
      auto on = state();
      if (!on) return unexpected(on.error());
      if (!*on) {
        out.powered_on_from_off = true;
        if (auto e = control(ChassisAction::kPowerUp)) return unexpected(*e);
      } else if (auto e = control(ChassisAction::kPowerCycle)) {
        return unexpected(*e);
      }
      out.powered_on = true;
      return out;
    }
    case Op::kSetBootDevice: {
      out.command_sent = true;
      if (auto e =
              with_retries(policy, wait, [&] { return driver.set_boot(req.device, req.mode); })) {
        return unexpected(*e);
      }
      return out;
    }
  }
  return unexpected(BmcError{BmcErrorKind::kInternal, "unknown operation"});
}

}  // namespace ferrum::bmcd
