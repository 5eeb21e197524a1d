#include "request_info.hpp"

#include <gtest/gtest.h>

namespace ferrum::apiserver {
namespace {

struct Want {
  bool is_resource;
  std::string group, version, ns, resource, name, subresource;
};

TEST(ParseRequestTarget, Table) {
  const std::vector<std::pair<std::string, Want>> cases = {
      {"/api/v1/namespaces/default/secrets/foo", {true, "", "v1", "default", "secrets", "foo", ""}},
      {"/api/v1/namespaces/default/secrets", {true, "", "v1", "default", "secrets", "", ""}},
      {"/api/v1/secrets", {true, "", "v1", "", "secrets", "", ""}},
      {"/api/v1/namespaces", {true, "", "v1", "", "namespaces", "", ""}},
      {"/api/v1/namespaces/kube-system", {true, "", "v1", "", "namespaces", "kube-system", ""}},
      // Namespace's own subresources are not resources inside the namespace.
      {"/api/v1/namespaces/kube-system/status",
       {true, "", "v1", "", "namespaces", "kube-system", "status"}},
      {"/api/v1/namespaces/kube-system/finalize",
       {true, "", "v1", "", "namespaces", "kube-system", "finalize"}},
      {"/apis/metal.sidero.dev/v1alpha2/servers/u1/status",
       {true, "metal.sidero.dev", "v1alpha2", "", "servers", "u1", "status"}},
      {"/apis/metal.sidero.dev/v1alpha2/servers",
       {true, "metal.sidero.dev", "v1alpha2", "", "servers", "", ""}},
      {"/apis/infrastructure.cluster.x-k8s.io/v1alpha3/namespaces/ns1/metalmachines/m-0",
       {true, "infrastructure.cluster.x-k8s.io", "v1alpha3", "ns1", "metalmachines", "m-0", ""}},
      {"/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/ferrum-controller",
       {true, "coordination.k8s.io", "v1", "kube-system", "leases", "ferrum-controller", ""}},
      {"/apis/metal.sidero.dev/v1alpha2/servers?labelSelector=a%3Db&watch=true",
       {true, "metal.sidero.dev", "v1alpha2", "", "servers", "", ""}},
      {"/api/v1/secrets/", {true, "", "v1", "", "secrets", "", ""}},
      {"/api/v1/namespaces/default/configmaps/my%20map",
       {true, "", "v1", "default", "configmaps", "my map", ""}},
      // Discovery and the rest are not resource requests.
      {"/apis/metal.sidero.dev/v1alpha2", {false, "metal.sidero.dev", "v1alpha2", "", "", "", ""}},
      {"/api/v1", {false, "", "v1", "", "", "", ""}},
      {"/apis/metal.sidero.dev", {false, "", "", "", "", "", ""}},
      {"/api", {false, "", "", "", "", "", ""}},
      {"/apis", {false, "", "", "", "", "", ""}},
      {"/version", {false, "", "", "", "", "", ""}},
      {"/openapi/v3/apis/metal.sidero.dev/v1alpha2?hash=AB", {false, "", "", "", "", "", ""}},
      {"/", {false, "", "", "", "", "", ""}},
  };
  for (const auto& [target, want] : cases) {
    auto got = parse_request_target(target);
    ASSERT_TRUE(got.has_value()) << target << ": " << got.error();
    EXPECT_EQ(got->is_resource, want.is_resource) << target;
    EXPECT_EQ(got->group, want.group) << target;
    EXPECT_EQ(got->version, want.version) << target;
    EXPECT_EQ(got->ns, want.ns) << target;
    EXPECT_EQ(got->resource, want.resource) << target;
    EXPECT_EQ(got->name, want.name) << target;
    EXPECT_EQ(got->subresource, want.subresource) << target;
    EXPECT_EQ(got->path, target.substr(0, target.find('?'))) << target;
  }
}

TEST(ParseRequestTarget, Malformed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "must start with /"},
      {"api/v1/secrets", "must start with /"},
      {"/api/v1/namespaces/default/secrets/a%2Fb", "a/b"},
      {"/api/v1/namespaces/default/secrets/..", "\"..\""},
      {"/api/v1/namespaces/%2e%2e/secrets", "\"..\""},
      {"/api/v1/namespaces/default/secrets/.", "\".\""},
      {"/apis/g.example/v1/namespaces/n/things/t/status/extra", "too many path segments"},
  };
  for (const auto& [target, fragment] : cases) {
    auto got = parse_request_target(target);
    ASSERT_FALSE(got.has_value()) << target;
    EXPECT_NE(got.error().find(fragment), std::string::npos) << target << ": " << got.error();
  }
}

TEST(ParseQuery, Table) {
  using Map = std::map<std::string, std::string>;
  const std::vector<std::pair<std::string, Map>> cases = {
      {"/api/v1/secrets", {}},
      {"/api/v1/secrets?", {}},
      {"/x?a=1&b=2", {{"a", "1"}, {"b", "2"}}},
      {"/x?labelSelector=app%3Dweb%2Ctier+in+%28a%2Cb%29",
       {{"labelSelector", "app=web,tier in (a,b)"}}},
      {"/x?fieldSelector=metadata.name%3Dfoo&limit=500&continue=eyJ2IjoxfQ%3D%3D",
       {{"fieldSelector", "metadata.name=foo"}, {"limit", "500"}, {"continue", "eyJ2IjoxfQ=="}}},
      {"/x?a=%2B+%20", {{"a", "+  "}}},
      {"/x?a=first&a=second", {{"a", "first"}}},
      {"/x?watch&a=", {{"watch", ""}, {"a", ""}}},
      {"/x?&&a=1&", {{"a", "1"}}},
      {"/x?a=1=2", {{"a", "1=2"}}},
      {"/x?bad=%zz%4", {{"bad", "%zz%4"}}},
      {"/x?k%20ey=v", {{"k ey", "v"}}},
  };
  for (const auto& [target, want] : cases) EXPECT_EQ(parse_query(target), want) << target;
}

TEST(PercentDecode, PlusOnlyInQueries) {
  EXPECT_EQ(percent_decode("a+b%41%zz", false), "a+bA%zz");
  EXPECT_EQ(percent_decode("a+b%41", true), "a bA");
  EXPECT_EQ(percent_decode("%", true), "%");
  EXPECT_EQ(percent_decode("%4", true), "%4");
  EXPECT_EQ(percent_decode("%e2%9c%93", false), "\xe2\x9c\x93");
}

}  // namespace
}  // namespace ferrum::apiserver
