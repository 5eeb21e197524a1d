// The Server controller's "nothing happens" rules on simulated time (ManualClock) with a fake
// PowerControl and caches the test moves by hand: a cache behind the controller's own writes,
// heartbeats past the reboot timeout, a new leader, clean and off machines, unaccepted
// Servers and Servers without a BMC. The integration tests (tests/integration/reconciler)
// show the same story against ferrum-bmcd and ipmi_sim; the "for a while nothing" parts live
// here, where time is exact.
#include <gtest/gtest.h>

#include <stop_token>

#include "../common/kube_fake_api.hpp"
#include "controllers.hpp"
#include "fake_power.hpp"
#include "ferrum/kube/typed.hpp"
#include "ferrum/model/kinds.hpp"

namespace ferrum::reconciler {
namespace {

using kube::Json;
using std::chrono::seconds;
using Commands = std::vector<std::string>;

constexpr const char* kUuid = "4c4c4544-0042-3510-8051-c4c04f4e0a01";

class ServerControllerTest : public ::testing::Test {
 protected:
  ServerControllerTest() {
    settings_.ipmi_pxe_method = "bios";
    settings_.server_reboot_timeout = seconds(600);
    settings_.power_check_period = seconds(60);
    caches_.servers = &servers_;
    caches_.bindings = &bindings_;
  }

  std::unique_ptr<ServerController> make_controller() {
    Deps deps{settings_, api_, caches_, events_, clock_, registry_, log::discard("server")};
    return std::make_unique<ServerController>(deps, power_);
  }

  // A registered Server with a BMC, as ferrum-registry writes it; the cache sees it.
  Json register_server(bool accepted, bool with_bmc = true) {
    auto s = model::Server::make(kUuid);
    s.set_accepted(accepted);
    if (with_bmc) s.set_bmc(model::Bmc{"127.0.0.1", 623, "admin", "password", {}, {}, ""});
    Json stored = api_.put_direct(resource(), s.raw());
    sync(stored);
    return stored;
  }
  // Another actor (ferrum-registry, an operator) changes the Server; the cache sees it.
  Json change(const std::function<void(model::Server&)>& fn) {
    model::Server s(latest());
    fn(s);
    Json stored = api_.put_direct(resource(), s.raw());
    sync(stored);
    return stored;
  }
  // The agent's Heartbeat as ferrum-registry writes it: PowerCycle=False/InProgress, restamped.
  void heartbeat() {
    change([&](model::Server& s) {
      s.remove_condition(model::kConditionPowerCycle);
      s.set_condition({std::string(model::kConditionPowerCycle), "False", "Info", "InProgress",
                       "Server wipe in progress.", std::nullopt},
                      now_seconds(clock_));
    });
  }
  void wiped() {
    change([&](model::Server& s) {
      s.set_is_clean(true);
      s.set_condition({std::string(model::kConditionPowerCycle), "True", "", "", "", std::nullopt},
                      now_seconds(clock_));
    });
  }
  void sync(const Json& obj) {
    servers_.upsert(kube::object_key(obj), std::make_shared<const Json>(obj));
  }
  // The cache catches up with the API server.
  void sync_latest() { sync(latest()); }
  Json latest() { return *api_.get(resource(), "", kUuid); }
  // Every version of the Server written after `rv`, oldest first (what the watch delivers).
  std::vector<Json> versions_after(const std::string& rv) {
    std::vector<Json> out;
    std::stop_source done;
    done.request_stop();  // replay the history, then return instead of waiting
    kube::WatchOptions opts;
    opts.resource_version = rv;
    (void)api_.watch(
        resource(), "", opts,
        [&](kube::WatchEvent ev) {
          if (kube::name_of(ev.object) == kUuid) out.push_back(std::move(ev.object));
          return true;
        },
        done.get_token());
    return out;
  }
  Outcome reconcile(ServerController& c) { return c.reconcile(kUuid, {}); }
  std::string condition_reason(const Json& obj, std::string_view type) {
    auto c = model::Server(obj).condition(type);
    return c ? c->reason : "";
  }
  // How often an Event with `reason` was reported about the Server (counts summed).
  std::int64_t events(const std::string& reason) {
    events_.flush();
    auto list = api_.list(kube::resources::events(), "", {});
    std::int64_t n = 0;
    for (const auto& e : (*list)["items"]) {
      if (e["reason"] == reason && e["involvedObject"]["name"] == kUuid) {
        n += e.value("count", std::int64_t{1});
      }
    }
    return n;
  }
  static const kube::ResourceId& resource() {
    static const kube::ResourceId r = kube::resource_of(model::kServer);
    return r;
  }

  kubetest::FakeApi api_;
  ManualClock clock_;
  metrics::Registry registry_;
  Settings settings_;
  kube::ObjectStore servers_, bindings_;
  Caches caches_;
  kube::EventRecorder events_{
      {"ferrum-reconciler", "", 100, 100, nullptr}, api_, clock_, log::discard("events")};
  testing::FakePower power_;
};

TEST_F(ServerControllerTest, NoSecondPowerCycleWhileTheCacheIsBehindOrTheAgentHeartbeats) {
  auto ctl = make_controller();
  const Json registered = register_server(true);
  ASSERT_TRUE(reconcile(*ctl));
  const Commands one_cycle{"pxe bios", "cycle"};
  EXPECT_EQ(power_.commands(kUuid), one_cycle);
  const Json after_cycle = latest();
  EXPECT_EQ(condition_reason(after_cycle, model::kConditionPowerCycle), "InProgress");
  EXPECT_EQ(model::Server(after_cycle).power(), "on");

  // The cache still shows the Server as registered, then each version the reconcile wrote
  // (finalizer; the cycle's intent; the power) as the watch delivers them: none of them
  // power cycles the machine again.
  EXPECT_TRUE(reconcile(*ctl));
  auto written = versions_after(model::Server(registered).resource_version());
  ASSERT_EQ(written.size(), 3u);  // finalizer, intent, power
  for (const auto& v : written) {
    sync(v);
    EXPECT_TRUE(reconcile(*ctl));
  }
  EXPECT_EQ(power_.commands(kUuid), one_cycle);

  // Heartbeats every 200 s keep the wipe alive past the 600 s reboot timeout; the power is
  // checked (read) meanwhile, and nothing is sent.
  for (int i = 0; i < 5; ++i) {
    clock_.advance(seconds(200));
    heartbeat();
    auto r = reconcile(*ctl);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->requeue_after, seconds(60));  // the power check comes first
  }
  EXPECT_EQ(power_.commands(kUuid), one_cycle);
  EXPECT_EQ(events("WipeTimedOut"), 0);

  // Heartbeats stop: nothing until the timeout has passed, then a second cycle.
  clock_.advance(seconds(599));
  EXPECT_TRUE(reconcile(*ctl));
  EXPECT_EQ(power_.commands(kUuid), one_cycle);
  clock_.advance(seconds(2));
  EXPECT_TRUE(reconcile(*ctl));
  EXPECT_EQ(power_.commands(kUuid), (Commands{"pxe bios", "cycle", "pxe bios", "cycle"}));
  EXPECT_EQ(events("WipeTimedOut"), 1);
  EXPECT_EQ(events("PowerCycled"), 2);
}

TEST_F(ServerControllerTest, NewLeaderNeitherCyclesAWipeInProgressNorPowersOffTwice) {
  register_server(true);
  ASSERT_TRUE(reconcile(*make_controller()));
  sync_latest();
  const Commands one_cycle{"pxe bios", "cycle"};

  // The standby takes over with a warm cache and no memory of the cycle.
  auto standby = make_controller();
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(reconcile(*standby));
    clock_.advance(seconds(61));  // every reconcile reads the power again
  }
  EXPECT_EQ(power_.commands(kUuid), one_cycle);

  wiped();
  ASSERT_TRUE(reconcile(*standby));
  EXPECT_EQ(power_.commands(kUuid), (Commands{"pxe bios", "cycle", "off"}));
  // Clean and off: power checks only read.
  const auto reads_before = power_.calls(kUuid).size();
  for (int i = 0; i < 5; ++i) {
    sync_latest();
    clock_.advance(seconds(61));
    EXPECT_TRUE(reconcile(*standby));
  }
  EXPECT_EQ(power_.commands(kUuid), (Commands{"pxe bios", "cycle", "off"}));
  EXPECT_EQ(power_.calls(kUuid).size(), reads_before + 5);
  model::Server s(latest());
  EXPECT_TRUE(s.ready());
  EXPECT_EQ(s.power(), "off");
  EXPECT_EQ(events("PowerCycled"), 1);
  EXPECT_EQ(events("PoweredOff"), 1);
}

TEST_F(ServerControllerTest, UnacceptedServerIsNeverAskedAnything) {
  auto ctl = make_controller();
  const Json registered = register_server(false);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(reconcile(*ctl));
    clock_.advance(seconds(601));
  }
  EXPECT_TRUE(power_.calls(kUuid).empty());
  EXPECT_EQ(latest(), registered);  // nothing written: no finalizer, no power field
}

TEST_F(ServerControllerTest, ServerWithoutBmcGetsOneEventAndNoErrors) {
  auto ctl = make_controller();
  register_server(true, false);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(reconcile(*ctl));
    sync_latest();
    change([i](model::Server& s) { s.set_label("touched", std::to_string(i)); });
    clock_.advance(seconds(61));
  }
  EXPECT_TRUE(reconcile(*ctl));
  EXPECT_TRUE(power_.calls(kUuid).empty());
  EXPECT_EQ(events("NoBMC"), 1);
  EXPECT_EQ(model::Server(latest()).power(), "unknown");
}

TEST_F(ServerControllerTest, UnreadablePowerAndFailedCyclesAreRetriedAtOnce) {
  auto ctl = make_controller();
  register_server(true);
  // A wipe needs no power reading: the cycle goes out, the reconcile still fails (retried)
  // and says why.
  power_.fail_next(kUuid, "state", {PowerError::Kind::kUnavailable, "UNAVAILABLE: timeout"});
  auto r = reconcile(*ctl);
  ASSERT_FALSE(r);
  EXPECT_FALSE(r.error().terminal);
  EXPECT_EQ(power_.commands(kUuid), (Commands{"pxe bios", "cycle"}));
  EXPECT_EQ(events("PowerStateUnknown"), 1);
  sync_latest();

  // The agent never came; the next cycle fails at the BMC: marked PowerCycleFailed, power
  // unknown, and tried again at once instead of after the reboot timeout.
  clock_.advance(seconds(601));
  power_.fail_next(kUuid, "cycle", {PowerError::Kind::kFailed, "INTERNAL: chassis refused"});
  r = reconcile(*ctl);
  ASSERT_FALSE(r);
  EXPECT_FALSE(r.error().terminal);
  EXPECT_EQ(condition_reason(latest(), model::kConditionPowerCycle), kReasonPowerCycleFailed);
  EXPECT_EQ(model::Server(latest()).power(), "unknown");
  EXPECT_EQ(events("PowerFailed"), 1);
  sync_latest();
  ASSERT_TRUE(reconcile(*ctl));
  EXPECT_EQ(power_.commands(kUuid),
            (Commands{"pxe bios", "cycle", "pxe bios", "cycle", "pxe bios", "cycle"}));
  EXPECT_EQ(condition_reason(latest(), model::kConditionPowerCycle), "InProgress");
}

}  // namespace
}  // namespace ferrum::reconciler
