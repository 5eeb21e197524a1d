// The Server lifecycle table (DESIGN.md 5): one row per state, what the plan does.
#include "server_plan.hpp"

#include <gtest/gtest.h>

#include "ferrum/model/kinds.hpp"

namespace ferrum::reconciler {
namespace {

using std::chrono::seconds;
constexpr model::Timestamp kNow{seconds(1'900'000'000)};

model::Server make(bool accepted, bool in_use, bool clean) {
  auto s = model::Server::make("uuid-1");
  s.set_accepted(accepted);
  s.set_in_use(in_use);
  s.set_is_clean(clean);
  s.add_finalizer(model::kServerFinalizer);
  return s;
}

ServerFacts facts(bool allocated, std::optional<bool> on, bool bmc = true) {
  ServerFacts f;
  f.allocated = allocated;
  f.bound_to = "ns/mm";
  f.has_bmc = bmc;
  f.powered_on = on;
  f.now = kNow;
  f.reboot_timeout = seconds(600);
  return f;
}

void in_progress(model::Server& s, model::Timestamp at) {
  s.set_condition({std::string(model::kConditionPowerCycle), "False", "Info", "InProgress", "", {}},
                  at);
}

struct Row {
  const char* name;
  bool accepted, in_use, clean, allocated;
  std::optional<bool> on;
  bool bmc;
  PowerAction action;
  bool ready, want_in_use, want_clean;
  const char* power;
};

TEST(ServerPlan, Table) {
  const Row rows[] = {
      // name                          acc   inUse  clean  alloc  on     bmc    action ready  inUse
      // clean  power
      {"accepted dirty free: cycle", true, false, false, false, false, true,
       PowerAction::kPowerCycle, false, false, false, "off"},
      {"dirty free, on: cycle", true, false, false, false, true, true, PowerAction::kPowerCycle,
       false, false, false, "on"},
      {"clean free, on: off", true, false, true, false, true, true, PowerAction::kPowerOff, true,
       false, true, "on"},
      {"clean free, off: nothing", true, false, true, false, false, true, PowerAction::kNone, true,
       false, true, "off"},
      {"clean free, power unknown", true, false, true, false, std::nullopt, true,
       PowerAction::kNone, true, false, true, "unknown"},
      {"allocated now: in use, dirty, on", true, false, true, true, false, true,
       PowerAction::kPowerOn, true, true, false, "off"},
      {"allocated on: nothing", true, true, false, true, true, true, PowerAction::kNone, true, true,
       false, "on"},
      {"allocated off: power on", true, true, false, true, false, true, PowerAction::kPowerOn, true,
       true, false, "off"},
      {"released: dirty, wipe", true, true, false, false, true, true, PowerAction::kPowerCycle,
       false, false, false, "on"},
      {"no bmc dirty: nothing", true, false, false, false, std::nullopt, false, PowerAction::kNone,
       false, false, false, "unknown"},
      {"no bmc allocated: nothing", true, false, true, true, std::nullopt, false,
       PowerAction::kNone, true, true, false, "unknown"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    auto s = make(r.accepted, r.in_use, r.clean);
    auto p = plan_server(s, facts(r.allocated, r.on, r.bmc));
    EXPECT_EQ(p.action, r.action);
    EXPECT_EQ(p.desired.ready(), r.ready);
    EXPECT_EQ(p.desired.in_use(), r.want_in_use);
    EXPECT_EQ(p.desired.is_clean(), r.want_clean);
    EXPECT_EQ(p.desired.power().value_or(""), r.power);
    EXPECT_EQ(p.finalizer, FinalizerChange::kNone);
    if (r.action == PowerAction::kPowerCycle || r.action == PowerAction::kPowerOn) {
      EXPECT_EQ(p.boot_mode, "uefi");
    }
    EXPECT_EQ(p.cycle_intent, r.action == PowerAction::kPowerCycle);
    EXPECT_EQ(p.missing_bmc, !r.bmc);
  }
}

TEST(ServerPlan, NotAcceptedTouchesNothing) {
  auto s = model::Server::make("uuid-1");
  auto p = plan_server(s, facts(false, false));
  EXPECT_EQ(p.action, PowerAction::kNone);
  EXPECT_EQ(p.finalizer, FinalizerChange::kNone);
  EXPECT_EQ(p.desired.raw(), s.raw());  // no status written at all
  EXPECT_TRUE(p.events.empty());

  s.set_is_clean(true);
  s.set_ready(true);
  p = plan_server(s, facts(true, true));
  EXPECT_FALSE(p.desired.is_clean());
  EXPECT_FALSE(p.desired.ready());
  EXPECT_EQ(p.action, PowerAction::kNone);
  EXPECT_FALSE(p.desired.power());
}

TEST(ServerPlan, FinalizerAddedToAcceptedAndRemovedWhenFree) {
  auto s = make(true, false, true);
  s.remove_finalizer(model::kServerFinalizer);
  EXPECT_EQ(plan_server(s, facts(false, false)).finalizer, FinalizerChange::kAdd);

  s.add_finalizer(model::kServerFinalizer);
  s.set_deletion_timestamp(kNow);
  auto p = plan_server(s, facts(true, true));
  EXPECT_EQ(p.finalizer, FinalizerChange::kNone);
  EXPECT_EQ(p.action, PowerAction::kNone);
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_EQ(p.events[0].reason, "DeletionBlocked");

  p = plan_server(s, facts(false, true));
  EXPECT_EQ(p.finalizer, FinalizerChange::kRemove);
  EXPECT_EQ(p.action, PowerAction::kNone);
}

TEST(ServerPlan, WipeInProgressWaitsUntilTheRebootTimeout) {
  auto s = make(true, false, false);
  in_progress(s, kNow - seconds(100));
  auto p = plan_server(s, facts(false, true));
  EXPECT_EQ(p.action, PowerAction::kNone);
  EXPECT_EQ(p.requeue_after, seconds(501));  // 600 - 100, plus a second

  in_progress(s, kNow - seconds(600));
  s.remove_condition(model::kConditionPowerCycle);
  in_progress(s, kNow - seconds(600));
  p = plan_server(s, facts(false, true));
  EXPECT_EQ(p.action, PowerAction::kPowerCycle);
  ASSERT_FALSE(p.events.empty());
  EXPECT_EQ(p.events[0].reason, "WipeTimedOut");
  auto c = p.desired.condition(model::kConditionPowerCycle);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->reason, "InProgress");
  EXPECT_EQ(c->last_transition_time, kNow);  // fresh, so the next wait starts now
}

TEST(ServerPlan, FailedCycleIsNotWaitedFor) {
  auto s = make(true, false, false);
  s.set_condition({std::string(model::kConditionPowerCycle),
                   "False",
                   "Warning",
                   std::string(kReasonPowerCycleFailed),
                   "UNAVAILABLE",
                   {}},
                  kNow - seconds(1));
  EXPECT_EQ(plan_server(s, facts(false, false)).action, PowerAction::kPowerCycle);
}

TEST(ServerPlan, WipedServerIsCleanAndPoweredOff) {
  auto s = make(true, false, true);
  s.set_condition({std::string(model::kConditionPowerCycle), "True", "", "", "", {}}, kNow);
  auto p = plan_server(s, facts(false, true));
  EXPECT_EQ(p.action, PowerAction::kPowerOff);
  EXPECT_TRUE(p.desired.ready());
}

TEST(ServerPlan, AllocatedAndCleanIsReportedAndLeftAlone) {
  auto s = make(true, true, true);
  auto p = plan_server(s, facts(true, false));
  EXPECT_EQ(p.action, PowerAction::kNone);
  EXPECT_TRUE(p.desired.is_clean());
  EXPECT_TRUE(p.desired.in_use());
  auto c = p.desired.condition(kConditionConsistent);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, "False");
  EXPECT_EQ(c->reason, "AllocatedAndClean");
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_TRUE(p.events[0].warning);

  // Once the condition is there, no new Event.
  EXPECT_TRUE(plan_server(p.desired, facts(true, false)).events.empty());
}

TEST(ServerPlan, PxeBootedOnceInstalledAndDroppedOnRelease) {
  auto s = make(true, true, false);
  auto f = facts(true, true);
  EXPECT_FALSE(plan_server(s, f).desired.condition(model::kConditionPXEBooted));
  f.installed = true;
  auto p = plan_server(s, f);
  ASSERT_TRUE(p.desired.is_condition_true(model::kConditionPXEBooted));
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_EQ(p.events[0].reason, "PXEBooted");
  EXPECT_TRUE(plan_server(p.desired, f).events.empty());

  auto released = plan_server(p.desired, facts(false, true));
  EXPECT_FALSE(released.desired.condition(model::kConditionPXEBooted));
  ASSERT_FALSE(released.events.empty());
  EXPECT_EQ(released.events[0].reason, "Released");
}

TEST(ServerPlan, AllocationEventOnlyOnTransition) {
  auto s = make(true, false, true);
  auto p = plan_server(s, facts(true, true));
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_EQ(p.events[0].reason, "Allocated");
  EXPECT_TRUE(plan_server(p.desired, facts(true, true)).events.empty());
}

TEST(ServerPlan, PxeModeFromServerElseDefault) {
  auto s = make(true, false, false);
  auto f = facts(false, false);
  f.default_pxe_mode = "bios";
  EXPECT_EQ(plan_server(s, f).boot_mode, "bios");
  s.set_pxe_mode("uefi");
  EXPECT_EQ(plan_server(s, f).boot_mode, "uefi");
  s.set_pxe_mode("nonsense");
  EXPECT_EQ(pxe_mode_for(s, "bios"), "bios");
}

}  // namespace
}  // namespace ferrum::reconciler

namespace ferrum::reconciler {
namespace {

// A Server Sidero installed (sidero-controller-manager/controllers/server_controller.go:
// finalizer storage.finalizers.server.k8s.io, inUse, not clean, ready, PXEBooted=True set
// with conditions.MarkTrue, i.e. without reason; PowerCycle=True from the wipe) with the
// hardware totals Sidero stored as strings. Taken over by Ferrum: nothing is written, nothing
// is powered, no Event.
TEST(ServerPlan, SideroInstalledServerIsKeptAsItIs) {
  model::Server s(model::json::parse(R"({
    "apiVersion": "metal.sidero.dev/v1alpha2", "kind": "Server",
    "metadata": {"name": "uuid-1", "finalizers": ["storage.finalizers.server.k8s.io"]},
    "spec": {"accepted": true, "hostname": "node-1",
      "bmc": {"endpoint": "10.0.0.50", "user": "admin", "pass": "secret"},
      "hardware": {"memory": {"totalSize": "16 GB", "moduleCount": 2},
                   "storage": {"totalSize": "480 GB", "deviceCount": 1}}},
    "status": {"ready": true, "inUse": true, "isClean": false, "power": "on",
      "addresses": [{"type": "InternalIP", "address": "10.0.0.5"}],
      "conditions": [
        {"type": "PowerCycle", "status": "True", "lastTransitionTime": "2024-01-01T00:00:00Z"},
        {"type": "PXEBooted", "status": "True", "lastTransitionTime": "2024-01-01T00:10:00Z"}]}
  })"));
  auto f = facts(true, true);
  f.installed = true;
  auto p = plan_server(s, f);
  EXPECT_EQ(p.finalizer, FinalizerChange::kNone);
  EXPECT_EQ(p.action, PowerAction::kNone);
  EXPECT_FALSE(p.cycle_intent);
  EXPECT_TRUE(p.events.empty());
  EXPECT_EQ(p.desired.raw(), s.raw());
  // Powered off (someone shut it down): Sidero's answer too, PXE boot once and power on
  // (server_controller.go); the PXE server then sends it to its disk.
  auto off = plan_server(s, facts(true, false));
  EXPECT_EQ(off.action, PowerAction::kPowerOn);
  EXPECT_FALSE(off.cycle_intent);
}

}  // namespace
}  // namespace ferrum::reconciler
