#include "resource_catalog.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "crd_fixtures.hpp"

namespace ferrum::apiserver {
namespace {

json server_crd() { return testing::load_crd("metal.sidero.dev_servers"); }

TEST(ResourceFromCrd, EveryShippedCrdIsAccepted) {
  auto crds = testing::load_all_crds();
  ASSERT_GE(crds.size(), 7u);
  for (const auto& crd : crds) {
    auto t = resource_from_crd(crd);
    ASSERT_TRUE(t.has_value()) << crd["metadata"]["name"] << ": " << t.error();
    EXPECT_EQ(t->qualified(), crd["metadata"]["name"].get<std::string>());
    EXPECT_FALSE(t->builtin);
    int storage = 0;
    for (const auto& v : t->versions) {
      storage += v.storage;
      EXPECT_TRUE(v.schema.is_object()) << t->kind << " " << v.name;
    }
    EXPECT_EQ(storage, 1) << t->kind;
  }
}

TEST(ResourceFromCrd, ServerAsSideroDefinesIt) {
  auto t = resource_from_crd(server_crd());
  ASSERT_TRUE(t.has_value()) << t.error();
  EXPECT_EQ(t->group, "metal.sidero.dev");
  EXPECT_EQ(t->plural, "servers");
  EXPECT_EQ(t->singular, "server");
  EXPECT_EQ(t->kind, "Server");
  EXPECT_EQ(t->list_kind, "ServerList");
  EXPECT_FALSE(t->namespaced);
  EXPECT_EQ(t->key(), "metal.sidero.dev/servers");
  EXPECT_EQ(t->qualified(), "servers.metal.sidero.dev");
  EXPECT_EQ(t->api_version("v1alpha2"), "metal.sidero.dev/v1alpha2");
  ASSERT_EQ(t->versions.size(), 2u);
  EXPECT_EQ(t->versions[0].name, "v1alpha1");
  EXPECT_TRUE(t->versions[0].served);
  EXPECT_FALSE(t->versions[0].storage);
  EXPECT_EQ(t->storage_version().name, "v1alpha2");
  EXPECT_NE(t->version("v1alpha1"), nullptr);
  EXPECT_EQ(t->version("v1"), nullptr);
  const auto& v = *t->version("v1alpha2");
  EXPECT_TRUE(v.status_subresource);
  EXPECT_EQ(v.schema["properties"]["spec"]["required"], json::array({"accepted"}));
  std::vector<std::string> names;
  for (const auto& c : v.columns) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Hostname", "BMC IP", "Accepted", "Cordoned",
                                             "Allocated", "Clean", "Power", "Age"}));
  EXPECT_EQ(v.columns[1].priority, 1);
  EXPECT_EQ(v.columns[1].json_path, ".spec.bmc.endpoint");
  EXPECT_EQ(v.columns[2].type, "boolean");
  EXPECT_EQ(v.columns[7].type, "date");
  EXPECT_EQ(v.columns[0].description, "server hostname");

  auto mm = resource_from_crd(testing::load_crd("infrastructure.cluster.x-k8s.io_metalmachines"));
  ASSERT_TRUE(mm.has_value()) << mm.error();
  EXPECT_TRUE(mm->namespaced);
}

TEST(ResourceFromCrd, DefaultsSingularAndListKind) {
  json crd = server_crd();
  crd["spec"]["names"].erase("singular");
  crd["spec"]["names"].erase("listKind");
  auto t = resource_from_crd(crd);
  ASSERT_TRUE(t.has_value()) << t.error();
  EXPECT_EQ(t->singular, "server");
  EXPECT_EQ(t->list_kind, "ServerList");
}

TEST(ResourceFromCrd, BrokenCrdsNameTheBadField) {
  struct Case {
    std::string what;
    std::function<void(json&)> mutate;
    std::string want;  // the start of the error
  };
  const std::vector<Case> cases = {
      {"group without a dot", [](json& c) { c["spec"]["group"] = "sidero"; }, "spec.group: "},
      {"no group", [](json& c) { c["spec"].erase("group"); }, "spec.group: "},
      {"upper-case plural", [](json& c) { c["spec"]["names"]["plural"] = "Servers"; },
       "spec.names.plural: "},
      {"no kind", [](json& c) { c["spec"]["names"].erase("kind"); }, "spec.names.kind: required"},
      {"name mismatch", [](json& c) { c["metadata"]["name"] = "machines.metal.sidero.dev"; },
       "metadata.name: "},
      {"bad scope", [](json& c) { c["spec"]["scope"] = "Global"; }, "spec.scope: "},
      {"no versions", [](json& c) { c["spec"]["versions"] = json::array(); }, "spec.versions: "},
      {"two storage versions", [](json& c) { c["spec"]["versions"][0]["storage"] = true; },
       "spec.versions: exactly one version must have storage: true (found 2)"},
      {"no storage version", [](json& c) { c["spec"]["versions"][1]["storage"] = false; },
       "spec.versions: exactly one version must have storage: true (found 0)"},
      {"duplicate version", [](json& c) { c["spec"]["versions"][1]["name"] = "v1alpha1"; },
       "spec.versions[1].name: duplicate"},
      {"bad version name", [](json& c) { c["spec"]["versions"][0]["name"] = "V1"; },
       "spec.versions[0].name: "},
      {"column without jsonPath",
       [](json& c) { c["spec"]["versions"][1]["additionalPrinterColumns"][0].erase("jsonPath"); },
       "spec.versions[1].additionalPrinterColumns[0].jsonPath: required"},
      {"column without name",
       [](json& c) { c["spec"]["versions"][0]["additionalPrinterColumns"][2].erase("name"); },
       "spec.versions[0].additionalPrinterColumns[2].name: required"},
      {"column type",
       [](json& c) {
         c["spec"]["versions"][1]["additionalPrinterColumns"][7]["type"] = "datetime";
       },
       "spec.versions[1].additionalPrinterColumns[7].type: "},
      // Wrong JSON types must be errors too, not exceptions: CRDs arrive from clients.
      {"spec not an object", [](json& c) { c["spec"] = "x"; }, "spec: "},
      {"versions not a list",
       [](json& c) {
         c["spec"]["versions"] = {{"name", "v1"}};
       },
       "spec.versions: "},
      {"version not an object", [](json& c) { c["spec"]["versions"][0] = "v1alpha1"; },
       "spec.versions[0]: "},
      {"served not a boolean", [](json& c) { c["spec"]["versions"][0]["served"] = "yes"; },
       "spec.versions[0].served: "},
      {"storage not a boolean", [](json& c) { c["spec"]["versions"][1]["storage"] = 1; },
       "spec.versions[1].storage: "},
      {"columns not a list",
       [](json& c) { c["spec"]["versions"][1]["additionalPrinterColumns"] = "Hostname"; },
       "spec.versions[1].additionalPrinterColumns: "},
      {"column not an object",
       [](json& c) { c["spec"]["versions"][1]["additionalPrinterColumns"][0] = 5; },
       "spec.versions[1].additionalPrinterColumns[0]: "},
      {"priority not an integer",
       [](json& c) { c["spec"]["versions"][1]["additionalPrinterColumns"][1]["priority"] = "1"; },
       "spec.versions[1].additionalPrinterColumns[1].priority: "},
      {"names not an object", [](json& c) { c["spec"]["names"] = "servers"; }, "spec.names: "},
  };
  for (const auto& c : cases) {
    json crd = server_crd();
    c.mutate(crd);
    Expected<ResourceType, std::string> got = unexpected(std::string("threw"));
    ASSERT_NO_THROW(got = resource_from_crd(crd)) << c.what;
    ASSERT_FALSE(got.has_value()) << c.what;
    EXPECT_EQ(got.error().rfind(c.want, 0), 0u) << c.what << ": " << got.error();
  }
  auto not_object = resource_from_crd(json::array());
  ASSERT_FALSE(not_object.has_value());
  EXPECT_EQ(not_object.error(), "a CustomResourceDefinition must be an object");
}

TEST(Catalog, BuiltinsAndCrds) {
  auto catalog = Catalog::with_crds(testing::load_all_crds());
  for (const auto& [group, plural] : std::vector<std::pair<std::string, std::string>>{
           {"", "namespaces"},
           {"", "secrets"},
           {"", "configmaps"},
           {"", "events"},
           {"coordination.k8s.io", "leases"},
           {"apiextensions.k8s.io", "customresourcedefinitions"},
           {"metal.sidero.dev", "servers"},
           {"metal.sidero.dev", "serverclasses"},
           {"metal.sidero.dev", "environments"},
           {"infrastructure.cluster.x-k8s.io", "metalmachines"}}) {
    EXPECT_NE(catalog->find(group, plural), nullptr) << group << "/" << plural;
  }
  EXPECT_EQ(catalog->find("metal.sidero.dev", "server"), nullptr);
  EXPECT_EQ(catalog->find("", "servers"), nullptr);
  ASSERT_NE(catalog->find_by_key("metal.sidero.dev/servers"), nullptr);
  EXPECT_EQ(catalog->find_by_key("/secrets")->kind, "Secret");
  ASSERT_NE(catalog->find_kind("metal.sidero.dev", "ServerClass"), nullptr);
  EXPECT_EQ(catalog->find_kind("metal.sidero.dev", "ServerClass")->plural, "serverclasses");
  EXPECT_EQ(catalog->find_kind("", "Server"), nullptr);
  EXPECT_TRUE(catalog->find("", "secrets")->builtin);
  EXPECT_TRUE(catalog->find("", "secrets")->namespaced);
  EXPECT_FALSE(catalog->find("", "namespaces")->namespaced);

  auto groups = catalog->groups();
  std::map<std::string, std::vector<std::string>> by_group(groups.begin(), groups.end());
  EXPECT_EQ(by_group.count(""), 0u);
  // The storage version is preferred, so listed first.
  EXPECT_EQ(by_group["metal.sidero.dev"], (std::vector<std::string>{"v1alpha2", "v1alpha1"}));
  EXPECT_EQ(by_group["coordination.k8s.io"], std::vector<std::string>{"v1"});
  EXPECT_EQ(by_group["apiextensions.k8s.io"], std::vector<std::string>{"v1"});
  EXPECT_EQ(groups.size(), by_group.size());  // each group once
}

TEST(Catalog, SkipsBrokenAndDuplicateCrds) {
  json broken = server_crd();
  broken["spec"]["scope"] = "Everywhere";
  json first = testing::load_crd("metal.sidero.dev_environments");
  json second = first;
  second["spec"]["names"]["kind"] = "OtherEnvironment";
  auto catalog = Catalog::with_crds({broken, first, second});
  EXPECT_EQ(catalog->find("metal.sidero.dev", "servers"), nullptr);
  ASSERT_NE(catalog->find("metal.sidero.dev", "environments"), nullptr);
  EXPECT_EQ(catalog->find("metal.sidero.dev", "environments")->kind, "Environment");
  EXPECT_EQ(Catalog::builtins()->all().size(), 7u);
}

}  // namespace
}  // namespace ferrum::apiserver
