#include "allocation.hpp"

#include <gtest/gtest.h>

#include "ferrum/model/kinds.hpp"

namespace ferrum::reconciler {
namespace {

constexpr model::Timestamp kNow{std::chrono::seconds(1'900'000'000)};

model::Server server(const std::string& name, bool accepted, bool cordoned, bool in_use, bool clean,
                     const std::string& rack = "a") {
  auto s = model::Server::make(name);
  s.set_accepted(accepted);
  s.set_cordoned(cordoned);
  s.set_in_use(in_use);
  s.set_is_clean(clean);
  s.set_label("rack", rack);
  return s;
}

model::MetalMachine machine() {
  model::MetalMachine mm(
      model::json{{"apiVersion", "infrastructure.cluster.x-k8s.io/v1alpha3"},
                  {"kind", "MetalMachine"},
                  {"metadata", {{"name", "mm"}, {"namespace", "ns"}, {"uid", "u1"}}}});
  return mm;
}

TEST(Allocation, CandidatesAreCleanFreeAcceptedUncordonedMatchingAndUnbound) {
  auto sc = model::ServerClass::make("rack-a");
  sc.set_selector({{"matchLabels", {{"rack", "a"}}}});
  auto matcher = model::ServerClassMatcher::compile(sc);
  ASSERT_TRUE(matcher);
  std::vector<model::Server> servers = {
      server("s5", true, false, false, true),       // ok
      server("s1", true, false, false, true),       // ok
      server("s2", false, false, false, true),      // not accepted
      server("s3", true, true, false, true),        // cordoned
      server("s4", true, false, true, false),       // in use
      server("s6", true, false, false, false),      // dirty
      server("s7", true, false, false, true, "b"),  // other rack
      server("s8", true, false, false, true),       // bound already
  };
  std::set<std::string, std::less<>> bound = {"s8"};
  EXPECT_EQ(allocation_candidates(*matcher, servers, bound),
            (std::vector<std::string>{"s1", "s5"}));
}

TEST(Allocation, BlockerNamesWhatIsMissing) {
  auto mm = machine();
  EXPECT_EQ(allocation_blocker(mm, nullptr, nullptr)->reason, "WaitingForMachine");
  mm.add_owner_reference({"cluster.x-k8s.io/v1beta1", "Machine", "m", "mu", true, true});
  EXPECT_EQ(allocation_blocker(mm, nullptr, nullptr)->reason, "WaitingForMachine");
  model::Machine m(model::json{{"metadata", {{"name", "m"}}}, {"spec", {{"clusterName", "c"}}}});
  EXPECT_EQ(allocation_blocker(mm, &m, nullptr)->reason, "WaitingForCluster");
  model::Cluster c(model::json{{"metadata", {{"name", "c"}}}});
  EXPECT_EQ(allocation_blocker(mm, &m, &c)->reason, "WaitingForInfrastructure");
  c.raw()["status"]["infrastructureReady"] = true;
  EXPECT_EQ(allocation_blocker(mm, &m, &c)->reason, "WaitingForBootstrapData");
  m.raw()["spec"]["bootstrap"]["dataSecretName"] = "boot";
  EXPECT_FALSE(allocation_blocker(mm, &m, &c));
}

TEST(Allocation, BindingNamesTheMachineAndTheClass) {
  auto mm = machine();
  mm.set_label(model::kClusterNameLabel, "c");
  model::ObjectReference cls;
  cls.name = "rack-a";
  auto b = make_binding("uuid-1", mm, cls);
  EXPECT_EQ(b.name(), "uuid-1");
  EXPECT_EQ(b.metal_machine_ref().name, "mm");
  EXPECT_EQ(b.metal_machine_ref().namespace_, "ns");
  EXPECT_EQ(b.metal_machine_ref().uid, "u1");
  EXPECT_EQ(b.server_class_ref()->name, "rack-a");
  EXPECT_EQ(b.label(model::kClusterNameLabel), "c");
  EXPECT_TRUE(binding_belongs_to(b, mm));
  auto other = machine();
  other.set_uid("u2");  // same name, recreated: not the same MetalMachine
  EXPECT_FALSE(binding_belongs_to(b, other));
  EXPECT_EQ(provider_id_for("uuid-1"), "sidero://uuid-1");
}

TEST(Allocation, StatusCopiedFromTheBinding) {
  auto mm = machine();
  auto b = model::ServerBinding::make("uuid-1");
  b.set_addresses({"fdae:41e4:649b:9303::10/64", "10.0.0.5"});
  b.set_hostname("node-1");
  b.set_condition({std::string(model::kConditionTalosInstalled), "True", "", "", "", {}}, kNow);
  EXPECT_TRUE(copy_binding_status(mm, b, kNow));
  EXPECT_EQ(mm.addresses(),
            (std::vector<model::NodeAddress>{{"InternalIP", "fdae:41e4:649b:9303::10"},
                                             {"InternalIP", "10.0.0.5"},
                                             {"Hostname", "node-1"}}));
  EXPECT_TRUE(mm.is_condition_true(model::kConditionTalosInstalled));
  EXPECT_FALSE(copy_binding_status(mm, b, kNow));  // nothing new
}

}  // namespace
}  // namespace ferrum::reconciler

namespace ferrum::reconciler {
namespace {

// A ServerBinding as Sidero v0.6.13's caps-controller-manager creates it
// (controllers/metalmachine_controller.go, createServerBinding: metalMachineRef with kind, uid,
// namespace, name and no apiVersion; the MetalMachine's labels copied; no finalizers, no
// ownerReferences), after the events-manager and the siderolink manager filled it in.
model::ServerBinding sidero_binding(const std::string& mm_uid) {
  auto j = model::json::parse(R"({
    "apiVersion": "infrastructure.cluster.x-k8s.io/v1alpha3", "kind": "ServerBinding",
    "metadata": {"name": "uuid-1", "uid": "b-1",
      "labels": {"cluster.x-k8s.io/cluster-name": "c", "cluster.x-k8s.io/control-plane": ""}},
    "spec": {
      "metalMachineRef": {"kind": "MetalMachine", "uid": "", "namespace": "ns", "name": "mm"},
      "serverClassRef": {"apiVersion": "metal.sidero.dev/v1alpha2", "kind": "ServerClass",
                         "name": "any"},
      "siderolink": {"address": "fd17:f051:d64e:4003:9c4e:1a22:b0f0:7d31/64",
                     "publicKey": "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="},
      "addresses": ["10.0.0.5"], "hostname": "node-1"},
    "status": {"ready": true, "conditions": [
      {"type": "TalosConfigLoaded", "status": "True", "lastTransitionTime": "2024-01-01T00:00:00Z"},
      {"type": "TalosConfigValidated", "status": "True", "lastTransitionTime": "2024-01-01T00:00:00Z"},
      {"type": "TalosInstalled", "status": "True", "lastTransitionTime": "2024-01-01T00:01:00Z"}]}
  })");
  j["spec"]["metalMachineRef"]["uid"] = mm_uid;
  return model::ServerBinding(std::move(j));
}

TEST(SideroAdoption, SideroBindingBelongsToItsMetalMachine) {
  auto mm = machine();  // uid u1
  EXPECT_TRUE(binding_belongs_to(sidero_binding("u1"), mm));
}

TEST(SideroAdoption, PivotedBindingWithAStaleUidBelongsWhenProviderIdNamesIt) {
  auto b = sidero_binding("uid-in-the-bootstrap-cluster");
  auto fresh = machine();  // same name, new uid, not bound yet: a recreated MetalMachine
  EXPECT_FALSE(binding_belongs_to(b, fresh));
  auto moved = machine();  // clusterctl move keeps spec: providerID names the Server
  moved.set_provider_id("sidero://uuid-1");
  EXPECT_TRUE(binding_belongs_to(b, moved));
  auto elsewhere = machine();
  elsewhere.set_provider_id("sidero://uuid-2");
  EXPECT_FALSE(binding_belongs_to(b, elsewhere));
}

// Sidero's MetalMachine status (metalmachine_controller.go: addresses from the binding, its
// conditions copied as they are): taking it over changes nothing.
TEST(SideroAdoption, SideroMetalMachineStatusIsAlreadyWhatFerrumWrites) {
  auto b = sidero_binding("u1");
  auto mm = machine();
  mm.raw()["spec"] = {{"providerID", "sidero://uuid-1"},
                      {"serverRef", {{"kind", "Server"}, {"name", "uuid-1"}}}};
  mm.raw()["status"] = {{"ready", true},
                        {"addresses",
                         {{{"type", "InternalIP"}, {"address", "10.0.0.5"}},
                          {{"type", "Hostname"}, {"address", "node-1"}}}},
                        {"conditions", b.raw()["status"]["conditions"]}};
  mm.raw()["status"]["conditions"].push_back({{"type", "ProviderSet"},
                                              {"status", "True"},
                                              {"lastTransitionTime", "2024-01-01T00:02:00Z"}});
  const auto before = mm.raw();
  EXPECT_FALSE(copy_binding_status(mm, b, kNow));
  EXPECT_EQ(mm.raw(), before);
}

}  // namespace
}  // namespace ferrum::reconciler
