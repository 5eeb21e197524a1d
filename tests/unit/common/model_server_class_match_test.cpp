#include <gtest/gtest.h>

#include "ferrum/model/server_class_match.hpp"

namespace ferrum::model {
namespace {

// A Dell with two Intel CPUs, two disks and labels; every qualifier case runs against it.
Server dell() {
  return Server{json::parse(R"json({
    "apiVersion": "metal.sidero.dev/v1alpha2", "kind": "Server",
    "metadata": {"name": "dell-1", "labels": {"rack": "r1", "role": "worker"}},
    "spec": {"accepted": true, "hardware": {
      "system": {"manufacturer": "Dell Inc.", "productName": "PowerEdge R630", "family": ""},
      "compute": {"processorCount": 2, "processors": [
        {"manufacturer": "Intel", "productName": "Xeon E5", "coreCount": 8, "speed": 2400},
        {"manufacturer": "Intel", "productName": "Xeon E5", "coreCount": 8, "speed": 2400}]},
      "memory": {"totalSize": "64 GB", "modules": [{"size": 32768}, {"size": 32768}]},
      "storage": {"devices": [{"type": "HDD", "size": 4000000000000, "name": "sda"},
                              {"type": "SSD", "size": 480000000000, "name": "sdb"}]},
      "network": {"interfaces": [{"name": "eno1", "mac": "aa:bb", "addresses": ["10.0.0.2/24"]}]}
    }}})json")};
}

ServerClass klass(const char* spec) {
  ServerClass c = ServerClass::make("test");
  c.raw()["spec"] = json::parse(spec);
  return c;
}

bool matches(const char* spec, const Server& s) {
  auto m = ServerClassMatcher::compile(klass(spec));
  EXPECT_TRUE(m.has_value()) << spec;
  return m && m->matches(s);
}

TEST(ModelServerClassMatch, QualifierTable) {
  struct Case {
    const char* name;
    const char* spec;
    bool matches;
  };
  const Case cases[] = {
      {"empty spec matches all", R"({})", true},
      {"empty qualifiers", R"({"qualifiers": {}})", true},
      {"empty hardware list", R"({"qualifiers": {"hardware": []}})", true},
      {"system manufacturer equal", R"({"qualifiers": {"hardware": [
        {"system": {"manufacturer": "Dell Inc."}}]}})",
       true},
      {"system manufacturer differs", R"({"qualifiers": {"hardware": [
        {"system": {"manufacturer": "HPE"}}]}})",
       false},
      {"case matters", R"({"qualifiers": {"hardware": [
        {"system": {"manufacturer": "dell inc."}}]}})",
       false},
      {"two fields all must match", R"({"qualifiers": {"hardware": [
        {"system": {"manufacturer": "Dell Inc.", "productName": "PowerEdge R640"}}]}})",
       false},
      {"zero fields are ignored", R"({"qualifiers": {"hardware": [
        {"system": {"manufacturer": "Dell Inc.", "productName": "", "version": ""},
         "compute": {"processorCount": 0}, "memory": {}}]}})",
       true},
      {"field the server lacks", R"({"qualifiers": {"hardware": [
        {"system": {"serialNumber": "X1"}}]}})",
       false},
      {"entries are OR-ed", R"({"qualifiers": {"hardware": [
        {"system": {"manufacturer": "HPE"}}, {"system": {"manufacturer": "Dell Inc."}}]}})",
       true},
      {"no entry matches", R"({"qualifiers": {"hardware": [
        {"system": {"manufacturer": "HPE"}}, {"compute": {"processorCount": 4}}]}})",
       false},
      {"number equal", R"({"qualifiers": {"hardware": [{"compute": {"processorCount": 2}}]}})",
       true},
      {"number differs", R"({"qualifiers": {"hardware": [{"compute": {"processorCount": 1}}]}})",
       false},
      {"processor matches some entry", R"({"qualifiers": {"hardware": [
        {"compute": {"processors": [{"manufacturer": "Intel", "coreCount": 8}]}}]}})",
       true},
      {"processor field differs", R"({"qualifiers": {"hardware": [
        {"compute": {"processors": [{"manufacturer": "AMD"}]}}]}})",
       false},
      {"two processors need two distinct entries", R"({"qualifiers": {"hardware": [
        {"compute": {"processors": [{"manufacturer": "Intel"}, {"speed": 2400}]}}]}})",
       true},
      {"more processors than the server has", R"({"qualifiers": {"hardware": [
        {"compute": {"processors": [{"manufacturer": "Intel"}, {"manufacturer": "Intel"},
                                    {"manufacturer": "Intel"}]}}]}})",
       false},
      {"storage device by type, any order", R"({"qualifiers": {"hardware": [
        {"storage": {"devices": [{"type": "SSD"}]}}]}})",
       true},
      {"storage needs SSD and HDD", R"({"qualifiers": {"hardware": [
        {"storage": {"devices": [{"type": "SSD"}, {"type": "HDD"}]}}]}})",
       true},
      {"storage needs two SSDs", R"({"qualifiers": {"hardware": [
        {"storage": {"devices": [{"type": "SSD"}, {"type": "SSD"}]}}]}})",
       false},
      {"large integer", R"({"qualifiers": {"hardware": [
        {"storage": {"devices": [{"size": 4000000000000}]}}]}})",
       true},
      {"memory string", R"({"qualifiers": {"hardware": [{"memory": {"totalSize": "64 GB"}}]}})",
       true},
      {"memory module", R"({"qualifiers": {"hardware": [
        {"memory": {"modules": [{"size": 32768}, {"size": 32768}]}}]}})",
       true},
      {"network interface address list", R"({"qualifiers": {"hardware": [
        {"network": {"interfaces": [{"name": "eno1", "addresses": ["10.0.0.2/24"]}]}}]}})",
       true},
      {"network interface wrong mac", R"({"qualifiers": {"hardware": [
        {"network": {"interfaces": [{"mac": "cc:dd"}]}}]}})",
       false},
      {"section the server lacks entirely", R"({"qualifiers": {"hardware": [
        {"gpu": {"count": 1}}]}})",
       false},
      {"labelSelectors one pair matches", R"({"qualifiers": {"labelSelectors": [
        {"rack": "r9", "role": "worker"}]}})",
       true},
      {"labelSelectors any map", R"({"qualifiers": {"labelSelectors": [
        {"rack": "r9"}, {"rack": "r1"}]}})",
       true},
      {"labelSelectors none", R"({"qualifiers": {"labelSelectors": [
        {"rack": "r9"}, {"role": "cp"}]}})",
       false},
      {"labelSelectors empty list", R"({"qualifiers": {"labelSelectors": []}})", true},
      {"selector matchLabels", R"({"selector": {"matchLabels": {"rack": "r1"}}})", true},
      {"selector mismatch", R"({"selector": {"matchLabels": {"rack": "r2"}}})", false},
      {"selector expression", R"({"selector": {"matchExpressions": [
        {"key": "role", "operator": "NotIn", "values": ["controlplane"]}]}})",
       true},
      {"empty selector", R"({"selector": {}})", true},
      {"all criteria hold", R"({"qualifiers": {"hardware": [
        {"system": {"manufacturer": "Dell Inc."}}], "labelSelectors": [{"rack": "r1"}]},
        "selector": {"matchLabels": {"role": "worker"}}})",
       true},
      {"hardware ok, selector not", R"({"qualifiers": {"hardware": [
        {"system": {"manufacturer": "Dell Inc."}}]},
        "selector": {"matchLabels": {"role": "cp"}}})",
       false},
      {"selector ok, labelSelectors not", R"({"qualifiers": {"labelSelectors": [{"rack": "x"}]},
        "selector": {"matchLabels": {"role": "worker"}}})",
       false},
  };
  Server s = dell();
  for (const auto& c : cases) EXPECT_EQ(matches(c.spec, s), c.matches) << c.name;
}

TEST(ModelServerClassMatch, HardwareQualifiersNeverMatchServerWithoutHardware) {
  Server bare = Server::make("bare");
  EXPECT_FALSE(
      matches(R"({"qualifiers": {"hardware": [{"system": {"manufacturer": "x"}}]}})", bare));
  EXPECT_FALSE(matches(R"({"qualifiers": {"hardware": [{}]}})", bare))
      << "as in Sidero: a hardware qualifier requires spec.hardware";
  EXPECT_TRUE(matches(R"({"qualifiers": {"hardware": [{}]}})", dell()));
  EXPECT_TRUE(matches(R"({})", bare));
}

TEST(ModelServerClassMatch, ClassAnyMatchesEverything) {
  ServerClass any = ServerClass::make("any");
  any.raw()["spec"] = json::parse(R"({"selector": {"matchLabels": {"nope": "x"}}})");
  auto m = ServerClassMatcher::compile(any);
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->matches(dell()));
  EXPECT_TRUE(m->matches(Server::make("bare")));
}

TEST(ModelServerClassMatch, InvalidSelectorIsAnError) {
  auto m = ServerClassMatcher::compile(klass(R"({"selector": {"matchExpressions": [
    {"key": "a", "operator": "Sometimes"}]}})"));
  ASSERT_FALSE(m.has_value());
  EXPECT_NE(m.error().find("spec.selector.matchExpressions[0].operator"), std::string::npos)
      << m.error();
}

TEST(ModelServerClassMatch, PartialEqualityPrimitives) {
  json actual = json::parse(R"({"a": 1, "b": "x", "c": [1, 2], "d": {"e": 2.0}})");
  EXPECT_TRUE(hardware_partially_equal(json::parse(R"({"a": 1.0})"), &actual))
      << "numbers compare by value";
  EXPECT_TRUE(hardware_partially_equal(json::parse(R"({"d": {"e": 2}})"), &actual));
  EXPECT_TRUE(hardware_partially_equal(json::parse(R"({"c": [2, 1]})"), &actual));
  EXPECT_FALSE(hardware_partially_equal(json::parse(R"({"c": [3]})"), &actual));
  EXPECT_FALSE(hardware_partially_equal(json::parse(R"({"b": ["x"]})"), &actual));
  EXPECT_FALSE(hardware_partially_equal(json::parse(R"({"a": "1"})"), &actual));
  EXPECT_TRUE(hardware_partially_equal(json::parse(R"({"z": ""})"), &actual));
  EXPECT_TRUE(hardware_partially_equal(json(nullptr), nullptr));
  EXPECT_FALSE(hardware_partially_equal(json("x"), nullptr));
}

TEST(ModelServerClassMatch, AvailableFor) {
  Server s = Server::make("s");
  EXPECT_FALSE(available_for(s)) << "not accepted";
  s.set_accepted(true);
  EXPECT_TRUE(available_for(s));
  s.set_cordoned(true);
  EXPECT_FALSE(available_for(s));
  s.set_cordoned(false);
  s.set_in_use(true);
  EXPECT_FALSE(available_for(s));
}

TEST(ModelServerClassMatch, MembershipListsSortedAndFiltered) {
  auto make = [](const char* name, bool accepted, bool cordoned, bool in_use, const char* rack) {
    Server s = Server::make(name);
    s.set_accepted(accepted);
    s.set_cordoned(cordoned);
    s.set_in_use(in_use);
    s.set_label("rack", rack);
    return s;
  };
  std::vector<Server> servers{
      make("c", true, false, false, "r1"),  make("a", true, false, false, "r1"),
      make("b", true, false, true, "r1"),   make("z", true, false, true, "r1"),
      make("d", false, false, false, "r1"),  // not accepted
      make("e", true, true, false, "r1"),    // cordoned
      make("f", true, true, true, "r1"),     // cordoned and in use
      make("g", true, false, false, "r2"),   // does not match
  };
  auto got = compute_membership(klass(R"({"selector": {"matchLabels": {"rack": "r1"}}})"), servers);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->available, (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(got->in_use, (std::vector<std::string>{"b", "z"}));

  auto bad = compute_membership(klass(R"({"selector": {"matchLabels": []}})"), servers);
  EXPECT_FALSE(bad.has_value());
}

}  // namespace
}  // namespace ferrum::model
