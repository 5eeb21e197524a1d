#include "openapi.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <regex>
#include <set>

#include "crd_fixtures.hpp"

namespace ferrum::apiserver {
namespace {

using json = nlohmann::json;

struct Gvk {
  std::string group, version, kind;
};

// kubectl's hasGVKExtensionV3: operations carry one {group, version, kind} object.
bool has_gvk_extension(const json& op, const Gvk& gvk) {
  auto it = op.find("x-kubernetes-group-version-kind");
  if (it == op.end() || !it->is_object()) return false;
  return it->value("group", "") == gvk.group && it->value("version", "") == gvk.version &&
         it->value("kind", "") == gvk.kind;
}

// kubectl's supportsQueryParamV3 (k8s.io/kubectl/pkg/cmd/util/queryparam...): the first PATCH
// operation tagged with the GVK decides, and Go visits paths in random order, so here every
// such operation must carry the parameter, and at least one must exist.
bool supports_query_param_v3(const json& doc, const Gvk& gvk, const std::string& param) {
  if (!doc.contains("paths") || !doc["paths"].is_object()) return false;
  int matched = 0;
  for (const auto& [path, item] : doc["paths"].items()) {
    auto patch = item.find("patch");
    if (patch == item.end() || !has_gvk_extension(*patch, gvk)) continue;
    ++matched;
    bool found = false;
    for (const auto& p : patch->value("parameters", json::array())) {
      if (p.value("name", "") == param && p.value("in", "") == "query") found = true;
    }
    if (!found) return false;
  }
  return matched > 0;
}

// kubectl apply's gvkSupportsPatchOpenAPIV3: strategic merge patch is used when the PATCH
// operation for the GVK accepts application/strategic-merge-patch+json.
bool offers_strategic_merge(const json& doc, const Gvk& gvk) {
  for (const auto& [path, item] : doc["paths"].items()) {
    auto patch = item.find("patch");
    if (patch == item.end() || !has_gvk_extension(*patch, gvk)) continue;
    return patch->at("requestBody")
        .at("content")
        .contains("application/strategic-merge-patch+json");
  }
  return false;
}

std::shared_ptr<const Catalog> real_catalog() {
  return Catalog::with_crds(testing::load_all_crds());
}

std::string gv_path(const std::string& group, const std::string& version) {
  return group.empty() ? "api/" + version : "apis/" + group + "/" + version;
}

TEST(OpenApi, RootListsEveryServedGroupVersion) {
  auto catalog = real_catalog();
  auto root = openapi_v3_root(*catalog);
  std::set<std::string> want = {"api/v1"};
  for (const auto& t : catalog->all()) {
    for (const auto& v : t.versions) {
      if (v.served) want.insert(gv_path(t.group, v.name));
    }
  }
  // The ones Ferrum cannot do without, so an empty catalog cannot pass.
  for (const char* must : {"api/v1", "apis/coordination.k8s.io/v1", "apis/apiextensions.k8s.io/v1",
                           "apis/metal.sidero.dev/v1alpha1", "apis/metal.sidero.dev/v1alpha2",
                           "apis/infrastructure.cluster.x-k8s.io/v1alpha3"}) {
    EXPECT_TRUE(want.count(must)) << must;
  }
  std::set<std::string> got;
  const std::regex url(R"(/openapi/v3/(.*)\?hash=[0-9A-F]{128})");
  for (const auto& [key, entry] : root.at("paths").items()) {
    got.insert(key);
    std::smatch m;
    std::string u = entry.at("serverRelativeURL");
    ASSERT_TRUE(std::regex_match(u, m, url)) << u;
    EXPECT_EQ(m[1], key);
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(root.size(), 1u);  // {"paths": ...} only
}

TEST(OpenApi, HashChangesExactlyWhenTheDocumentDoes) {
  auto crds = testing::load_all_crds();
  auto before = openapi_v3_root(*Catalog::with_crds(crds));
  EXPECT_EQ(before, openapi_v3_root(*Catalog::with_crds(crds)));  // deterministic

  bool changed = false;
  for (auto& crd : crds) {
    if (crd["metadata"]["name"] != "servers.metal.sidero.dev") continue;
    for (auto& v : crd["spec"]["versions"]) {
      if (v["name"] != "v1alpha2") continue;
      v["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["rackPosition"] = {
          {"type", "integer"}};
      changed = true;
    }
  }
  ASSERT_TRUE(changed);
  auto after = openapi_v3_root(*Catalog::with_crds(crds));
  const auto& b = before["paths"];
  const auto& a = after["paths"];
  EXPECT_NE(a["apis/metal.sidero.dev/v1alpha2"], b["apis/metal.sidero.dev/v1alpha2"]);
  EXPECT_EQ(a["apis/metal.sidero.dev/v1alpha1"], b["apis/metal.sidero.dev/v1alpha1"]);
  EXPECT_EQ(a["api/v1"], b["api/v1"]);
  EXPECT_EQ(a["apis/infrastructure.cluster.x-k8s.io/v1alpha3"],
            b["apis/infrastructure.cluster.x-k8s.io/v1alpha3"]);
}

TEST(OpenApi, EveryKindSupportsFieldValidationTheWayKubectlChecks) {
  auto catalog = real_catalog();
  int kinds = 0;
  for (const auto& t : catalog->all()) {
    for (const auto& v : t.versions) {
      if (!v.served) continue;
      auto doc = openapi_v3_document(*catalog, gv_path(t.group, v.name));
      ASSERT_TRUE(doc.has_value()) << t.key() << " " << v.name;
      Gvk gvk{t.group, v.name, t.kind};
      EXPECT_TRUE(supports_query_param_v3(*doc, gvk, "fieldValidation")) << t.kind << " " << v.name;
      EXPECT_TRUE(supports_query_param_v3(*doc, gvk, "dryRun")) << t.kind;
      EXPECT_TRUE(supports_query_param_v3(*doc, gvk, "fieldManager")) << t.kind;
      EXPECT_TRUE(supports_query_param_v3(*doc, gvk, "force")) << t.kind;
      EXPECT_FALSE(supports_query_param_v3(*doc, gvk, "noSuchParam")) << t.kind;
      // A different version or kind is not claimed by this document.
      EXPECT_FALSE(
          supports_query_param_v3(*doc, {t.group, v.name + "x", t.kind}, "fieldValidation"));
      EXPECT_FALSE(offers_strategic_merge(*doc, gvk)) << t.kind;
      ++kinds;
    }
  }
  EXPECT_GE(kinds, 6 + 7);  // built-ins, and Ferrum's CRDs in at least one version each
}

TEST(OpenApi, DocumentShapeAndReferences) {
  auto catalog = real_catalog();
  auto doc = openapi_v3_document(*catalog, "apis/metal.sidero.dev/v1alpha2");
  ASSERT_TRUE(doc.has_value());
  // Valid JSON that survives a round trip.
  json reparsed = json::parse(doc->dump());
  EXPECT_EQ(reparsed, *doc);
  EXPECT_EQ(reparsed["openapi"], "3.0.0");

  const auto& paths = reparsed["paths"];
  for (const char* p :
       {"/apis/metal.sidero.dev/v1alpha2/servers", "/apis/metal.sidero.dev/v1alpha2/servers/{name}",
        "/apis/metal.sidero.dev/v1alpha2/servers/{name}/status",
        "/apis/metal.sidero.dev/v1alpha2/serverclasses/{name}",
        "/apis/metal.sidero.dev/v1alpha2/environments/{name}"}) {
    EXPECT_TRUE(paths.contains(p)) << p;
  }
  EXPECT_FALSE(paths.contains("/api/v1/namespaces/{namespace}/secrets"));
  const auto& item = paths["/apis/metal.sidero.dev/v1alpha2/servers/{name}"];
  for (const char* verb : {"get", "put", "patch", "delete"})
    EXPECT_TRUE(item.contains(verb)) << verb;
  const auto& coll = paths["/apis/metal.sidero.dev/v1alpha2/servers"];
  for (const char* verb : {"get", "post", "delete"}) EXPECT_TRUE(coll.contains(verb)) << verb;
  EXPECT_EQ(coll["get"]["x-kubernetes-action"], "list");
  EXPECT_EQ(coll["post"]["x-kubernetes-action"], "post");
  EXPECT_EQ(item["patch"]["x-kubernetes-action"], "patch");

  // Every operation is tagged; operation ids are unique.
  std::set<std::string> ids;
  for (const auto& [path, pi] : paths.items()) {
    for (const auto& [verb, op] : pi.items()) {
      if (verb == "parameters") continue;
      EXPECT_TRUE(op.contains("x-kubernetes-action")) << path << " " << verb;
      EXPECT_TRUE(op.at("x-kubernetes-group-version-kind").is_object()) << path << " " << verb;
      EXPECT_TRUE(ids.insert(op.at("operationId").get<std::string>()).second) << op["operationId"];
    }
  }

  // The Server schema is the CRD's, tagged with its GVK (as a list, like the real server).
  const auto& schemas = reparsed["components"]["schemas"];
  ASSERT_TRUE(schemas.contains("dev.sidero.metal.v1alpha2.Server"));
  const auto& server = schemas["dev.sidero.metal.v1alpha2.Server"];
  EXPECT_EQ(
      server["x-kubernetes-group-version-kind"],
      json::parse(R"([{"group": "metal.sidero.dev", "version": "v1alpha2", "kind": "Server"}])"));
  EXPECT_EQ(server["properties"]["spec"]["properties"]["bmc"]["properties"]["port"]["type"],
            "integer");
  EXPECT_EQ(server["properties"]["spec"]["required"], json::array({"accepted"}));
  EXPECT_TRUE(schemas.contains("dev.sidero.metal.v1alpha2.ServerList"));

  // Every $ref resolves inside the document.
  int refs = 0;
  std::function<void(const json&)> walk = [&](const json& j) {
    if (j.is_object()) {
      if (auto r = j.find("$ref"); r != j.end()) {
        std::string ref = *r;
        ASSERT_EQ(ref.rfind("#/components/schemas/", 0), 0u) << ref;
        EXPECT_TRUE(schemas.contains(ref.substr(21))) << ref;
        ++refs;
      }
      for (const auto& [k, v] : j.items()) walk(v);
    } else if (j.is_array()) {
      for (const auto& v : j) walk(v);
    }
  };
  walk(reparsed);
  EXPECT_GT(refs, 20);
}

TEST(OpenApi, CoreAndNamespacedPaths) {
  auto catalog = Catalog::builtins();
  auto doc = openapi_v3_document(*catalog, "api/v1");
  ASSERT_TRUE(doc.has_value());
  const auto& paths = (*doc)["paths"];
  EXPECT_TRUE(paths.contains("/api/v1/namespaces/{namespace}/secrets/{name}"));
  EXPECT_TRUE(paths.contains("/api/v1/secrets"));  // list across namespaces
  EXPECT_TRUE(paths.contains("/api/v1/namespaces/{name}"));
  EXPECT_TRUE(paths.contains("/api/v1/namespaces/{name}/status"));
  EXPECT_FALSE(paths.contains("/api/v1/secrets/{name}"));
  const auto& secret_item = paths["/api/v1/namespaces/{namespace}/secrets/{name}"];
  std::set<std::string> path_params;
  for (const auto& p : secret_item["parameters"]) {
    if (p["in"] == "path") path_params.insert(p["name"]);
  }
  EXPECT_EQ(path_params, (std::set<std::string>{"name", "namespace"}));
  EXPECT_EQ(secret_item["patch"]["x-kubernetes-group-version-kind"],
            json::parse(R"({"group": "", "version": "v1", "kind": "Secret"})"));
  EXPECT_TRUE(supports_query_param_v3(*doc, {"", "v1", "Namespace"}, "fieldValidation"));

  auto leases = openapi_v3_document(*catalog, "/apis/coordination.k8s.io/v1");
  ASSERT_TRUE(leases.has_value());
  EXPECT_TRUE((*leases)["components"]["schemas"].contains("io.k8s.api.coordination.v1.Lease"));
}

TEST(OpenApi, UnknownGroupVersionIsNothing) {
  auto catalog = real_catalog();
  for (const char* p : {"apis/metal.sidero.dev/v9", "apis/nothing.example/v1", "api/v2", "apis/",
                        "apis/metal.sidero.dev", "version", "", "api/v1/extra"}) {
    EXPECT_FALSE(openapi_v3_document(*catalog, p).has_value()) << p;
  }
}

}  // namespace
}  // namespace ferrum::apiserver
