#pragma once
// A PowerControl double for the reconciler's unit tests: one machine state per Server, every
// call recorded ("state", "pxe uefi", "on", "off", "cycle"), failures on demand. ferrum-bmcd
// and ipmi_sim are the integration tests' peers; this is for rules over simulated time.

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "power_control.hpp"

namespace ferrum::reconciler::testing {

class FakePower final : public PowerControl {
 public:
  void set_on(const std::string& server, bool on) {
    std::lock_guard l(mu_);
    on_[server] = on;
  }
  // The next `call` ("state", "pxe", "on", "off", "cycle") for `server` fails with `error`.
  void fail_next(const std::string& server, const std::string& call, PowerError error) {
    std::lock_guard l(mu_);
    failures_[{server, call}] = std::move(error);
  }
  std::vector<std::string> calls(const std::string& server) const {
    std::lock_guard l(mu_);
    auto it = calls_.find(server);
    return it == calls_.end() ? std::vector<std::string>{} : it->second;
  }
  // The calls that change the machine (everything but reading the power state).
  std::vector<std::string> commands(const std::string& server) const {
    std::vector<std::string> out;
    for (auto& c : calls(server)) {
      if (c != "state") out.push_back(c);
    }
    return out;
  }
  // Blocks until `server` received `n` commands (tests of threaded wiring).
  void wait_for_commands(const std::string& server, std::size_t n) const {
    std::unique_lock l(mu_);
    cv_.wait(l, [&] {
      std::size_t k = 0;
      if (auto it = calls_.find(server); it != calls_.end()) {
        for (const auto& c : it->second) k += c != "state";
      }
      return k >= n;
    });
  }

  Expected<bool, PowerError> power_state(const std::string& server) override {
    std::lock_guard l(mu_);
    if (auto e = record(server, "state")) return unexpected(*e);
    return on_[server];
  }
  Expected<Done, PowerError> power_on(const std::string& server) override {
    return command(server, "on", true);
  }
  Expected<Done, PowerError> power_off(const std::string& server) override {
    return command(server, "off", false);
  }
  Expected<Done, PowerError> power_cycle(const std::string& server) override {
    return command(server, "cycle", true);
  }
  Expected<Done, PowerError> set_pxe_boot(const std::string& server,
                                          const std::string& mode) override {
    std::lock_guard l(mu_);
    if (auto e = record(server, "pxe " + mode)) return unexpected(*e);
    return Done{};
  }

 private:
  std::optional<PowerError> record(const std::string& server, std::string call) {
    calls_[server].push_back(call);
    cv_.notify_all();
    auto it = failures_.find({server, call.substr(0, call.find(' '))});
    if (it == failures_.end()) return std::nullopt;
    PowerError e = std::move(it->second);
    failures_.erase(it);
    return e;
  }
  Expected<Done, PowerError> command(const std::string& server, const char* name, bool on) {
    std::lock_guard l(mu_);
    if (auto e = record(server, name)) return unexpected(*e);
    on_[server] = on;
    return Done{};
  }

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::map<std::string, bool> on_;
  std::map<std::string, std::vector<std::string>> calls_;
  std::map<std::pair<std::string, std::string>, PowerError> failures_;
};

}  // namespace ferrum::reconciler::testing
