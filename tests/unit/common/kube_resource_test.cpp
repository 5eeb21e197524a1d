// REST paths and object keys.
#include <gtest/gtest.h>

#include "ferrum/kube/client.hpp"
#include "ferrum/kube/resource.hpp"

using namespace ferrum::kube;

TEST(ResourceId, CoreGroupPaths) {
  auto s = resources::secrets();
  EXPECT_EQ(s.api_version(), "v1");
  EXPECT_EQ(s.collection_path("ns"), "/api/v1/namespaces/ns/secrets");
  EXPECT_EQ(s.collection_path(), "/api/v1/secrets");
  EXPECT_EQ(s.object_path("ns", "name"), "/api/v1/namespaces/ns/secrets/name");
}

TEST(ResourceId, NamedGroupAndSubresource) {
  ResourceId servers{"metal.sidero.dev", "v1alpha2", "servers", false};
  EXPECT_EQ(servers.api_version(), "metal.sidero.dev/v1alpha2");
  EXPECT_EQ(servers.object_path("ignored-for-cluster-scoped", "uuid", "status"),
            "/apis/metal.sidero.dev/v1alpha2/servers/uuid/status");
  EXPECT_EQ(resources::leases().object_path("kube-system", "ferrum-reconciler"),
            "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/ferrum-reconciler");
}

TEST(ResourceId, NamesAreEscaped) {
  EXPECT_EQ(resources::config_maps().object_path("ns", "a b/c"),
            "/api/v1/namespaces/ns/configmaps/a%20b%2Fc");
}

TEST(ObjectKey, NamespacedAndClusterScoped) {
  EXPECT_EQ(object_key("ns", "n"), "ns/n");
  EXPECT_EQ(object_key("", "n"), "n");
  EXPECT_EQ(object_key(nlohmann::json{{"metadata", {{"name", "x"}, {"namespace", "y"}}}}), "y/x");
  EXPECT_EQ(object_key(nlohmann::json{{"metadata", {{"name", "x"}}}}), "x");
  EXPECT_EQ(split_key("y/x"), (std::pair<std::string, std::string>{"y", "x"}));
  EXPECT_EQ(split_key("x"), (std::pair<std::string, std::string>{"", "x"}));
}

TEST(ListQuery, AllOptions) {
  ListOptions o;
  o.label_selector = "app=x";
  o.field_selector = "metadata.name=y";
  o.limit = 50;
  o.continue_token = "abc=";
  EXPECT_EQ(list_query(o),
            "?labelSelector=app%3Dx&fieldSelector=metadata.name%3Dy&limit=50&continue=abc%3D");
  EXPECT_EQ(list_query({}), "");
}

TEST(PatchType, ContentTypes) {
  EXPECT_EQ(patch_content_type(PatchType::kJson), "application/json-patch+json");
  EXPECT_EQ(patch_content_type(PatchType::kMerge), "application/merge-patch+json");
  EXPECT_EQ(patch_content_type(PatchType::kStrategicMerge),
            "application/strategic-merge-patch+json");
}

#include "ferrum/kube/typed.hpp"
#include "ferrum/model/server.hpp"
#include "kube_fake_api.hpp"

TEST(Typed, ResourceOfModelKinds) {
  auto servers = resource_of(ferrum::model::kServer);
  EXPECT_EQ(servers, (ResourceId{"metal.sidero.dev", "v1alpha2", "servers", false}));
  EXPECT_EQ(resource_of(ferrum::model::kMetalMachine).collection_path("ns"),
            "/apis/infrastructure.cluster.x-k8s.io/v1alpha3/namespaces/ns/metalmachines");
}

TEST(Typed, ViewsRoundTripKeepingUnknownFields) {
  kubetest::FakeApi api;
  auto s = ferrum::model::Server::make("4c4c4544-0042");
  s.raw()["spec"]["futureField"] = "kept";
  auto created = create_as(api, ferrum::model::kServer, s);
  ASSERT_TRUE(created);
  auto got = get_as<ferrum::model::Server>(api, ferrum::model::kServer, "", "4c4c4544-0042");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->name(), "4c4c4544-0042");
  EXPECT_EQ(got->raw()["spec"]["futureField"], "kept");
  got->set_hostname("node-1");
  ASSERT_TRUE(update_as(api, ferrum::model::kServer, *got));
  auto all = list_as<ferrum::model::Server>(api, ferrum::model::kServer);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].hostname(), "node-1");
  auto missing = get_as<ferrum::model::Server>(api, ferrum::model::kServer, "", "nope");
  ASSERT_FALSE(missing);
  EXPECT_TRUE(is_not_found(missing.error()));
}
