#pragma once
// Test doubles for bmcd's unit tests: a scripted machine behind the PowerDriver and Ipmi
// interfaces. Each step pops the next scripted error (or succeeds when none is left) and
// records what was asked, so tests check both the answer and what reached the "BMC".

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ipmi.hpp"
#include "power_driver.hpp"

namespace ferrum::bmcd::testing {

struct Machine {
  bool on = false;
  std::optional<BootDevice> boot;
  std::optional<BootMode> mode;
  std::deque<std::optional<BmcErrorKind>> failures;  // consumed one per step
  std::vector<std::string> log;                      // "status", "up", "down", "cycle", "boot"

  std::optional<BmcError> next_failure(const std::string& what) {
    log.push_back(what);
    if (failures.empty()) return std::nullopt;
    auto f = failures.front();
    failures.pop_front();
    if (!f) return std::nullopt;
    return BmcError{*f, what + " failed"};
  }
  Expected<bool, BmcError> status() {
    if (auto e = next_failure("status")) return unexpected(*e);
    return on;
  }
  std::optional<BmcError> control(ChassisAction a) {
    const char* names[] = {"up", "down", "cycle"};
    if (auto e = next_failure(names[static_cast<int>(a)])) return e;
    on = a != ChassisAction::kPowerDown;
    return std::nullopt;
  }
  std::optional<BmcError> set_boot(BootDevice d, BootMode m) {
    if (auto e = next_failure("boot")) return e;
    boot = d;
    mode = m;
    return std::nullopt;
  }
};

class FakeDriver final : public PowerDriver {
 public:
  explicit FakeDriver(Machine& m) : m_(m) {}
  Expected<bool, BmcError> powered_on() override { return m_.status(); }
  std::optional<BmcError> chassis(ChassisAction a) override { return m_.control(a); }
  std::optional<BmcError> set_boot(BootDevice d, BootMode m) override { return m_.set_boot(d, m); }

 private:
  Machine& m_;
};

// Ipmi over one Machine; counts sessions opened and alive; open() can be made to fail.
class FakeIpmi final : public Ipmi {
 public:
  explicit FakeIpmi(Machine& m) : m_(m) {}
  std::deque<std::optional<BmcErrorKind>> open_failures;
  int opened = 0;
  std::shared_ptr<int> alive = std::make_shared<int>(0);

  Expected<std::unique_ptr<IpmiSession>, BmcError> open(const IpmiEndpoint& ep,
                                                        std::chrono::milliseconds) override {
    if (!open_failures.empty()) {
      auto f = open_failures.front();
      open_failures.pop_front();
      if (f) return unexpected(BmcError{*f, ep.describe() + ": open failed"});
    }
    ++opened;
    return std::unique_ptr<IpmiSession>(new Session(m_, alive));
  }

 private:
  class Session final : public IpmiSession {
   public:
    Session(Machine& m, std::shared_ptr<int> alive) : m_(m), alive_(std::move(alive)) { ++*alive_; }
    ~Session() override { --*alive_; }
    Expected<bool, BmcError> power_is_on() override { return m_.status(); }
    std::optional<BmcError> chassis_control(ChassisAction a) override { return m_.control(a); }
    std::optional<BmcError> set_boot_flags(BootDevice d, BootMode mo) override {
      return m_.set_boot(d, mo);
    }

   private:
    Machine& m_;
    std::shared_ptr<int> alive_;
  };
  Machine& m_;
};

}  // namespace ferrum::bmcd::testing
