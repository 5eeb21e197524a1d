// ReconcilerApp assembled in process: informers, controllers and the handlers of their watch
// declarations against an in-memory API (FakeApi), a fake PowerControl and a ManualClock. It
// reconciles a Server through the wiring (informer -> watch -> queue -> controller -> BMC and
// status), keeps `any` and `default` present, and stops cleanly.
#include "reconciler_app.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "../common/kube_fake_api.hpp"
#include "fake_power.hpp"
#include "ferrum/kube/typed.hpp"
#include "ferrum/model/kinds.hpp"

namespace ferrum::reconciler {
namespace {

using kube::Json;

constexpr const char* kUuid = "4c4c4544-0042-3510-8051-c4c04f4e0d01";

// Blocks until an object of `resource` named `name` satisfies `pred` (the API's watch
// replays every change from the beginning, then waits for the next).
Json wait_for(kubetest::FakeApi& api, const kube::ResourceId& resource, const std::string& name,
              const std::function<bool(const Json&)>& pred) {
  Json found;
  kube::WatchOptions opts;
  opts.resource_version = "0";
  (void)api.watch(resource, "", opts,
                  [&](kube::WatchEvent ev) {
                    if (kube::name_of(ev.object) != name || ev.type == kube::EventType::kDeleted ||
                        !pred(ev.object)) {
                      return true;
                    }
                    found = std::move(ev.object);
                    return false;
                  },
                  {});
  return found;
}

TEST(ReconcilerApp, ReconcilesAServerThroughItsWatchesAndStopsCleanly) {
  kubetest::FakeApi api;
  ManualClock clock;
  metrics::Registry registry;
  Settings settings;
  settings.leader_elect = false;
  settings.workers = 2;
  settings.ipmi_pxe_method = "uefi";
  settings.default_environment_kernel_url = "http://mirror.example/vmlinuz";
  settings.default_environment_initrd_url = "http://mirror.example/initramfs.xz";
  kube::EventRecorder events({"ferrum-reconciler", "", 100, 100, nullptr}, api, clock,
                             log::discard("events"));
  testing::FakePower power;

  auto s = model::Server::make(kUuid);
  s.set_accepted(true);
  s.set_bmc(model::Bmc{"127.0.0.1", 623, "admin", "password", {}, {}, ""});
  api.put_direct(kube::resource_of(model::kServer), s.raw());

  ReconcilerApp app(settings, api, power, events, clock, registry, log::discard("reconciler"),
                    "replica-1", "default");
  std::stop_source stop;
  bool clean = false;
  std::thread runner([&] { clean = app.run(stop.get_token()); });

  // The accepted, dirty Server is wiped: PXE boot, power cycle, the intent and power written.
  power.wait_for_commands(kUuid, 2);
  EXPECT_EQ(power.commands(kUuid), (std::vector<std::string>{"pxe uefi", "cycle"}));
  Json server = wait_for(api, kube::resource_of(model::kServer), kUuid, [](const Json& o) {
    return model::Server(o).power() == std::optional<std::string>("on");
  });
  auto cycle = model::Server(server).condition(model::kConditionPowerCycle);
  ASSERT_TRUE(cycle);
  EXPECT_EQ(cycle->reason, "InProgress");
  EXPECT_TRUE(model::Server(server).has_finalizer(model::kServerFinalizer));
  // The kept-present objects (the controllers' ensure() keys) exist.
  wait_for(api, kube::resource_of(model::kServerClass), std::string(model::kServerClassAny),
           [](const Json&) { return true; });
  wait_for(api, kube::resource_of(model::kEnvironment), std::string(model::kEnvironmentDefault),
           [](const Json&) { return true; });
  EXPECT_TRUE(app.synced());
  EXPECT_TRUE(app.leading());

  // A ServerBinding's watch reaches the Server controller: the Server becomes allocated (to
  // an existing MetalMachine, or the binding controller would delete the binding).
  api.put_direct(kube::resource_of(model::kMetalMachine),
                 Json{{"apiVersion", model::kMetalMachine.api_version()},
                      {"kind", "MetalMachine"},
                      {"metadata", {{"name", "m1"}, {"namespace", "default"}}},
                      {"spec", Json::object()}});
  // Informers of different kinds are not in step: the binding is put only once the
  // reconciler has the MetalMachine in its cache (its finalizer says so), as happens when the
  // MetalMachine controller itself creates the binding.
  wait_for(api, kube::resource_of(model::kMetalMachine), "m1", [](const Json& o) {
    return model::MetalMachine(o).has_finalizer(model::kMetalMachineFinalizer);
  });
  auto binding = model::ServerBinding::make(kUuid);
  model::ObjectReference ref;
  ref.kind = "MetalMachine";
  ref.namespace_ = "default";
  ref.name = "m1";
  binding.set_metal_machine_ref(ref);
  api.put_direct(kube::resource_of(model::kServerBinding), binding.raw());
  wait_for(api, kube::resource_of(model::kServer), kUuid,
           [](const Json& o) { return model::Server(o).in_use(); });

  stop.request_stop();
  runner.join();
  EXPECT_TRUE(clean);
  EXPECT_FALSE(app.leading());
  // The wipe was never repeated while all this happened.
  auto cycles = power.commands(kUuid);
  EXPECT_EQ(std::count(cycles.begin(), cycles.end(), "cycle"), 1);
}

}  // namespace
}  // namespace ferrum::reconciler
