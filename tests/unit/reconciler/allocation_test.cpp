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
