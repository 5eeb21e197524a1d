// ApiHandler in process, through the DurableStore interface (no sockets, no SQLite): the
// create/update/patch/delete paths, conflicts, immutable fields, the status subresource,
// validation errors naming their fields, and the API strictness of Kubernetes that
// ferrum-apiserver follows (names and labels, strategic merge directives, 415 on unknown body
// types, malformed and future resourceVersions).

#include "api_handler.hpp"

#include <gtest/gtest.h>

#include <future>
#include <map>
#include <mutex>

#include "durable_store.hpp"
#include "ferrum/log.hpp"
#include "ferrum/metrics.hpp"
#include "object_store.hpp"

namespace ferrum::apiserver {
namespace {

// The durable store as a map: what the handler committed, nothing more.
class MemoryDurableStore final : public DurableStore {
 public:
  std::vector<StoredRow> load() override { return {}; }
  std::uint64_t last_rv() override { return 0; }
  void commit(const std::vector<RowWrite>& batch, std::uint64_t last_rv) override {
    std::lock_guard lock(mu_);
    for (const auto& w : batch) {
      auto key = w.resource + "|" + w.ns + "|" + w.name;
      if (w.data) {
        rows_[key] = json::parse(*w.data);
      } else {
        rows_.erase(key);
      }
    }
    last_rv_ = last_rv;
  }
  std::string integrity_check() override { return "ok"; }

  std::optional<json> row(const std::string& resource, const std::string& ns,
                          const std::string& name) {
    std::lock_guard lock(mu_);
    auto it = rows_.find(resource + "|" + ns + "|" + name);
    if (it == rows_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::mutex mu_;
  std::map<std::string, json> rows_;
  std::uint64_t last_rv_ = 0;
};

struct Answer {
  int status = 0;
  json body;
  std::vector<std::pair<std::string, std::string>> headers;

  std::string header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return "";
  }
  // The fields the Status's causes name.
  std::vector<std::string> cause_fields() const {
    std::vector<std::string> out;
    for (const auto& c : body["details"].value("causes", json::array()))
      out.push_back(c.value("field", ""));
    return out;
  }
  std::string message() const { return body.value("message", ""); }
};

class ApiHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_.load();
    store_.start();
    handler_.bootstrap();
    auto applied = handler_.apply_crd_dir(FERRUM_SOURCE_DIR "/charts/ferrum/crds");
    ASSERT_TRUE(applied) << applied.error();
  }
  void TearDown() override {
    handler_.stop();
    store_.stop();
  }

  Answer call(const std::string& method, const std::string& target, const json& body = nullptr,
              const std::string& content_type = "application/json") {
    HttpRequest req;
    req.method = method;
    req.target = target;
    req.content_type = content_type;
    req.accept = "application/json";
    if (!body.is_null()) req.body = body.is_string() ? body.get<std::string>() : body.dump();
    std::promise<HttpResponse> p;
    auto f = p.get_future();
    handler_.handle(std::move(req), [&p](HttpResponse r) { p.set_value(std::move(r)); });
    HttpResponse r = f.get();
    Answer a;
    a.status = r.status;
    a.body = json::parse(r.body, nullptr, false);
    a.headers = r.headers;
    return a;
  }

  static HandlerSettings settings() {
    HandlerSettings s;
    s.token = "token";
    s.server_address = "127.0.0.1:6443";
    return s;
  }
  static json config_map(const std::string& name, json data = {{"k", "v"}}) {
    return {{"apiVersion", "v1"},
            {"kind", "ConfigMap"},
            {"metadata", {{"name", name}}},
            {"data", std::move(data)}};
  }
  static json server(const std::string& name) {
    return {{"apiVersion", "metal.sidero.dev/v1alpha2"},
            {"kind", "Server"},
            {"metadata", {{"name", name}}},
            {"spec", {{"accepted", false}, {"hostname", "node-1"}}}};
  }

  static constexpr const char* kConfigMaps = "/api/v1/namespaces/default/configmaps";
  static constexpr const char* kSecrets = "/api/v1/namespaces/default/secrets";
  static constexpr const char* kServers = "/apis/metal.sidero.dev/v1alpha2/servers";

  MemoryDurableStore durable_;
  ObjectStore store_{durable_, 1000};
  metrics::Registry registry_;
  ApiHandler handler_{settings(), store_, log::discard("api"), registry_};
};

// ---- create / get / update / delete ----

TEST_F(ApiHandlerTest, CreateFillsSystemFieldsAndIsDurableBeforeTheAnswer) {
  auto a = call("POST", kConfigMaps, config_map("one"));
  ASSERT_EQ(a.status, 201) << a.body;
  const json& md = a.body["metadata"];
  EXPECT_FALSE(md.value("uid", "").empty());
  EXPECT_FALSE(md.value("creationTimestamp", "").empty());
  EXPECT_EQ(md.value("namespace", ""), "default");
  auto row = durable_.row("/configmaps", "default", "one");
  ASSERT_TRUE(row) << "the create was answered before it was committed";
  EXPECT_EQ((*row)["metadata"]["uid"], md["uid"]);
  EXPECT_EQ(call("GET", std::string(kConfigMaps) + "/one").body["data"]["k"], "v");
}

TEST_F(ApiHandlerTest, CreateOfAnExistingNameIsAlreadyExists) {
  ASSERT_EQ(call("POST", kConfigMaps, config_map("one")).status, 201);
  auto a = call("POST", kConfigMaps, config_map("one"));
  EXPECT_EQ(a.status, 409);
  EXPECT_EQ(a.body["reason"], "AlreadyExists");
}

TEST_F(ApiHandlerTest, CreateIgnoresSystemFieldsTheClientSets) {
  json cm = config_map("one");
  cm["metadata"]["uid"] = "client-chosen";
  cm["metadata"]["resourceVersion"] = "999";
  cm["metadata"]["deletionTimestamp"] = "2020-01-01T00:00:00Z";
  auto a = call("POST", kConfigMaps, cm);
  ASSERT_EQ(a.status, 201) << a.body;
  EXPECT_NE(a.body["metadata"]["uid"], "client-chosen");
  EXPECT_NE(a.body["metadata"]["resourceVersion"], "999");
  EXPECT_FALSE(a.body["metadata"].contains("deletionTimestamp"));
}

TEST_F(ApiHandlerTest, UpdateWithAStaleResourceVersionIsAConflict) {
  auto created = call("POST", kConfigMaps, config_map("one")).body;
  json next = created;
  next["data"]["k"] = "w";
  ASSERT_EQ(call("PUT", std::string(kConfigMaps) + "/one", next).status, 200);
  next["data"]["k"] = "x";  // still carries the first resourceVersion
  auto a = call("PUT", std::string(kConfigMaps) + "/one", next);
  EXPECT_EQ(a.status, 409);
  EXPECT_EQ(a.body["reason"], "Conflict");
  EXPECT_EQ(call("GET", std::string(kConfigMaps) + "/one").body["data"]["k"], "w");
}

TEST_F(ApiHandlerTest, UpdateWithoutAResourceVersionIsInvalidNamingIt) {
  json cm = config_map("one");
  ASSERT_EQ(call("POST", kConfigMaps, cm).status, 201);
  auto a = call("PUT", std::string(kConfigMaps) + "/one", cm);
  EXPECT_EQ(a.status, 422);
  EXPECT_EQ(a.cause_fields(), std::vector<std::string>{"metadata.resourceVersion"});
}

TEST_F(ApiHandlerTest, UpdateCannotChangeTheUid) {
  auto obj = call("POST", kConfigMaps, config_map("one")).body;
  obj["metadata"]["uid"] = "00000000-0000-0000-0000-000000000000";
  auto a = call("PUT", std::string(kConfigMaps) + "/one", obj);
  EXPECT_EQ(a.status, 422);
  EXPECT_EQ(a.cause_fields(), std::vector<std::string>{"metadata.uid"});
  EXPECT_NE(a.message().find("field is immutable"), std::string::npos) << a.message();
  // A JSON patch is held to the same rule.
  auto p = call("PATCH", std::string(kConfigMaps) + "/one",
                json::array({{{"op", "replace"}, {"path", "/metadata/uid"}, {"value", "x"}}}),
                "application/json-patch+json");
  EXPECT_EQ(p.status, 422);
  EXPECT_EQ(p.cause_fields(), std::vector<std::string>{"metadata.uid"});
}

TEST_F(ApiHandlerTest, UpdateKeepsCreationTimestampAndGeneration) {
  auto obj = call("POST", kServers, server("s1")).body;
  json next = obj;
  next["metadata"]["creationTimestamp"] = "2000-01-01T00:00:00Z";
  next["metadata"]["generation"] = 42;
  next["spec"]["hostname"] = "node-2";
  auto a = call("PUT", std::string(kServers) + "/s1", next);
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.body["metadata"]["creationTimestamp"], obj["metadata"]["creationTimestamp"]);
  EXPECT_EQ(a.body["metadata"]["generation"], 2)
      << "a spec change bumps the stored generation, not the client's";
}

TEST_F(ApiHandlerTest, PatchesApplyToTheCurrentObject) {
  ASSERT_EQ(call("POST", kServers, server("s1")).status, 201);
  auto m = call("PATCH", std::string(kServers) + "/s1", {{"spec", {{"accepted", true}}}},
                "application/merge-patch+json");
  ASSERT_EQ(m.status, 200) << m.body;
  EXPECT_EQ(m.body["spec"]["accepted"], true);
  EXPECT_EQ(m.body["spec"]["hostname"], "node-1");
  auto j = call("PATCH", std::string(kServers) + "/s1",
                json::array({{{"op", "replace"}, {"path", "/spec/hostname"}, {"value", "node-9"}}}),
                "application/json-patch+json");
  ASSERT_EQ(j.status, 200) << j.body;
  EXPECT_EQ(j.body["spec"]["hostname"], "node-9");
  EXPECT_EQ(j.body["metadata"]["generation"], 3);
  auto missing = call("PATCH", std::string(kServers) + "/nope", {{"spec", {{"accepted", true}}}},
                      "application/merge-patch+json");
  EXPECT_EQ(missing.status, 404);
}

TEST_F(ApiHandlerTest, APatchCarryingAStaleResourceVersionIsAConflict) {
  auto obj = call("POST", kConfigMaps, config_map("one")).body;
  ASSERT_EQ(call("PATCH", std::string(kConfigMaps) + "/one", {{"data", {{"k", "w"}}}},
                 "application/merge-patch+json")
                .status,
            200);
  auto a = call("PATCH", std::string(kConfigMaps) + "/one",
                {{"metadata", {{"resourceVersion", obj["metadata"]["resourceVersion"]}}},
                 {"data", {{"k", "x"}}}},
                "application/merge-patch+json");
  EXPECT_EQ(a.status, 409);
}

TEST_F(ApiHandlerTest, StatusIsWrittenOnlyThroughTheStatusSubresource) {
  auto obj = call("POST", kServers, server("s1")).body;
  EXPECT_FALSE(obj.contains("status")) << "create drops status behind a status subresource";
  auto a = call("PATCH", std::string(kServers) + "/s1/status",
                {{"status", {{"power", "on"}}}, {"spec", {{"hostname", "ignored"}}}},
                "application/merge-patch+json");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.body["status"]["power"], "on");
  EXPECT_EQ(a.body["spec"]["hostname"], "node-1");
  EXPECT_EQ(a.body["metadata"]["generation"], 1) << "a status write is not a spec change";
  auto b = call("PATCH", std::string(kServers) + "/s1", {{"status", {{"power", "off"}}}},
                "application/merge-patch+json");
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(b.body["status"]["power"], "on");
  // PUT /status: the same rule.
  json put = b.body;
  put["status"]["power"] = "off";
  put["spec"]["hostname"] = "ignored-too";
  auto c = call("PUT", std::string(kServers) + "/s1/status", put);
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_EQ(c.body["status"]["power"], "off");
  EXPECT_EQ(c.body["spec"]["hostname"], "node-1");
}

TEST_F(ApiHandlerTest, DeleteWaitsForFinalizersAndRefusesNewOnes) {
  json cm = config_map("one");
  cm["metadata"]["finalizers"] = {"example.com/keep"};
  ASSERT_EQ(call("POST", kConfigMaps, cm).status, 201);
  auto d = call("DELETE", std::string(kConfigMaps) + "/one");
  ASSERT_EQ(d.status, 200) << d.body;
  auto got = call("GET", std::string(kConfigMaps) + "/one").body;
  ASSERT_TRUE(got["metadata"].contains("deletionTimestamp"));
  auto add = call("PATCH", std::string(kConfigMaps) + "/one",
                  {{"metadata", {{"finalizers", {"example.com/keep", "example.com/more"}}}}},
                  "application/merge-patch+json");
  EXPECT_EQ(add.status, 422);
  EXPECT_EQ(add.cause_fields(), std::vector<std::string>{"metadata.finalizers"});
  auto done = call("PATCH", std::string(kConfigMaps) + "/one",
                   {{"metadata", {{"finalizers", nullptr}}}}, "application/merge-patch+json");
  EXPECT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(call("GET", std::string(kConfigMaps) + "/one").status, 404);
  EXPECT_FALSE(durable_.row("/configmaps", "default", "one"));
}

// ---- validation: every problem, each naming its field ----

TEST_F(ApiHandlerTest, SchemaProblemsAreOneInvalidStatusNamingEveryField) {
  json s = server("s1");
  s["spec"]["accepted"] = "yes";
  s["spec"]["pxeMode"] = "floppy";
  auto a = call("POST", kServers, s);
  ASSERT_EQ(a.status, 422) << a.body;
  EXPECT_EQ(a.body["reason"], "Invalid");
  auto fields = a.cause_fields();
  EXPECT_NE(std::find(fields.begin(), fields.end(), "spec.accepted"), fields.end()) << a.body;
  EXPECT_NE(std::find(fields.begin(), fields.end(), "spec.pxeMode"), fields.end()) << a.body;
  EXPECT_EQ(a.body["details"]["group"], "metal.sidero.dev");
  EXPECT_EQ(a.body["details"]["kind"], "Server");
  EXPECT_TRUE(a.message().starts_with("Server.metal.sidero.dev \"s1\" is invalid: ["))
      << a.message();
}

TEST_F(ApiHandlerTest, FieldValidationStrictRefusesUnknownFieldsAndWarnPrunesThem) {
  json s = server("s1");
  s["spec"]["acceptd"] = true;
  auto strict = call("POST", std::string(kServers) + "?fieldValidation=Strict", s);
  EXPECT_EQ(strict.status, 400);
  EXPECT_NE(strict.message().find("unknown field \"spec.acceptd\""), std::string::npos)
      << strict.message();
  auto warn = call("POST", std::string(kServers) + "?fieldValidation=Warn", s);
  ASSERT_EQ(warn.status, 201) << warn.body;
  EXPECT_FALSE(warn.body["spec"].contains("acceptd"));
  EXPECT_NE(warn.header("Warning").find("acceptd"), std::string::npos);
}

// ---- names and labels (k8s.io/apimachinery/pkg/util/validation/validation.go) ----

TEST_F(ApiHandlerTest, ObjectNamesAreDns1123Subdomains) {
  auto a = call("POST", kConfigMaps, config_map("Bad_Name"));
  ASSERT_EQ(a.status, 422) << a.body;
  EXPECT_EQ(a.cause_fields(), std::vector<std::string>{"metadata.name"});
  EXPECT_NE(a.message().find("a lowercase RFC 1123 subdomain"), std::string::npos) << a.message();
  EXPECT_EQ(call("POST", kConfigMaps, config_map(std::string(254, 'a'))).status, 422);
  EXPECT_EQ(call("POST", kConfigMaps, config_map("a.b-c")).status, 201);
}

TEST_F(ApiHandlerTest, NamespaceNamesAreDns1123Labels) {
  json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "team.a"}}}};
  auto a = call("POST", "/api/v1/namespaces", ns);
  ASSERT_EQ(a.status, 422) << a.body;
  EXPECT_NE(a.message().find("must not contain dots"), std::string::npos) << a.message();
  ns["metadata"]["name"] = "team-a";
  auto ok = call("POST", "/api/v1/namespaces", ns);
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(ok.body["status"]["phase"], "Active");
  EXPECT_EQ(ok.body["metadata"]["labels"]["kubernetes.io/metadata.name"], "team-a");
}

TEST_F(ApiHandlerTest, LabelKeysAreQualifiedNamesAndValuesLabelValues) {
  json cm = config_map("one");
  cm["metadata"]["labels"] = {{"bad key", "v"}};
  auto key = call("POST", kConfigMaps, cm);
  ASSERT_EQ(key.status, 422) << key.body;
  EXPECT_EQ(key.cause_fields(), std::vector<std::string>{"metadata.labels"});
  EXPECT_NE(key.message().find("name part must consist of alphanumeric characters"),
            std::string::npos)
      << key.message();

  cm["metadata"]["labels"] = {{"example.com/ok", std::string(64, 'v')}};
  auto value = call("POST", kConfigMaps, cm);
  ASSERT_EQ(value.status, 422) << value.body;
  EXPECT_NE(value.message().find("must be no more than 63 characters"), std::string::npos)
      << value.message();

  cm["metadata"]["labels"] = {{"example.com/ok", "-starts-with-dash"}};
  EXPECT_EQ(call("POST", kConfigMaps, cm).status, 422);
  cm["metadata"]["labels"] = {{"example.com/ok", std::string(63, 'v')}, {"empty", ""}};
  EXPECT_EQ(call("POST", kConfigMaps, cm).status, 201);
  // The same rules on a patch, for custom resources too.
  ASSERT_EQ(call("POST", kServers, server("s1")).status, 201);
  auto p = call("PATCH", std::string(kServers) + "/s1",
                {{"metadata", {{"labels", {{"rack", "a b"}}}}}}, "application/merge-patch+json");
  EXPECT_EQ(p.status, 422) << p.body;
}

// ---- per-kind strategies ----

TEST_F(ApiHandlerTest, SecretStringDataBecomesDataAndTypeIsImmutable) {
  json secret = {{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"metadata", {{"name", "s"}}},
                 {"stringData", {{"k", "v"}}}};
  auto created = call("POST", kSecrets, secret);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.body["data"]["k"], "dg==");
  EXPECT_FALSE(created.body.contains("stringData"));
  EXPECT_EQ(created.body["type"], "Opaque");
  json next = created.body;
  next["type"] = "kubernetes.io/basic-auth";
  auto a = call("PUT", std::string(kSecrets) + "/s", next);
  ASSERT_EQ(a.status, 422) << a.body;
  EXPECT_EQ(a.cause_fields(), std::vector<std::string>{"type"});
  EXPECT_NE(a.message().find("field is immutable"), std::string::npos);
  auto p = call("PATCH", std::string(kSecrets) + "/s", {{"type", "Other"}},
                "application/strategic-merge-patch+json");
  EXPECT_EQ(p.status, 422) << p.body;
}

TEST_F(ApiHandlerTest, AnImmutableConfigMapKeepsItsData) {
  json cm = config_map("frozen");
  cm["immutable"] = true;
  ASSERT_EQ(call("POST", kConfigMaps, cm).status, 201);
  auto a = call("PATCH", std::string(kConfigMaps) + "/frozen", {{"data", {{"k", "w"}}}},
                "application/merge-patch+json");
  ASSERT_EQ(a.status, 422) << a.body;
  EXPECT_EQ(a.cause_fields(), std::vector<std::string>{"data"});
  auto b = call("PATCH", std::string(kConfigMaps) + "/frozen", {{"immutable", false}},
                "application/merge-patch+json");
  EXPECT_EQ(b.status, 422);
  // Labels may still change.
  EXPECT_EQ(call("PATCH", std::string(kConfigMaps) + "/frozen",
                 {{"metadata", {{"labels", {{"a", "b"}}}}}}, "application/merge-patch+json")
                .status,
            200);
}

TEST_F(ApiHandlerTest, ConfigMapKeysAreConfigKeys) {
  auto a = call("POST", kConfigMaps, config_map("one", {{"bad/key", "v"}}));
  ASSERT_EQ(a.status, 422) << a.body;
  EXPECT_EQ(a.cause_fields(), std::vector<std::string>{"data[bad/key]"});
}

TEST_F(ApiHandlerTest, EventNamespaceMustMatchItsObject) {
  json ev = {{"apiVersion", "v1"},
             {"kind", "Event"},
             {"metadata", {{"name", "e1"}}},
             {"involvedObject", {{"kind", "ConfigMap"}, {"name", "x"}, {"namespace", "other"}}},
             {"reason", "R"}};
  auto a = call("POST", "/api/v1/namespaces/default/events", ev);
  ASSERT_EQ(a.status, 422) << a.body;
  EXPECT_EQ(a.cause_fields(), std::vector<std::string>{"involvedObject.namespace"});
  ev["involvedObject"].erase("namespace");  // a cluster-scoped object: events go to default
  EXPECT_EQ(call("POST", "/api/v1/namespaces/default/events", ev).status, 201);
}

TEST_F(ApiHandlerTest, LeaseDurationMustBePositive) {
  json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                {"kind", "Lease"},
                {"metadata", {{"name", "l"}}},
                {"spec", {{"holderIdentity", "a"}, {"leaseDurationSeconds", 0}}}};
  auto a = call("POST", "/apis/coordination.k8s.io/v1/namespaces/default/leases", lease);
  ASSERT_EQ(a.status, 422) << a.body;
  EXPECT_EQ(a.cause_fields(), std::vector<std::string>{"spec.leaseDurationSeconds"});
}

TEST_F(ApiHandlerTest, ACrdMustBeNamedPluralDotGroup) {
  json crd = {{"apiVersion", "apiextensions.k8s.io/v1"},
              {"kind", "CustomResourceDefinition"},
              {"metadata", {{"name", "wrong.example.com"}}},
              {"spec",
               {{"group", "example.com"},
                {"scope", "Cluster"},
                {"names", {{"plural", "widgets"}, {"kind", "Widget"}}},
                {"versions", {{{"name", "v1"}, {"served", true}, {"storage", true}}}}}}};
  auto a = call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
  ASSERT_EQ(a.status, 422) << a.body;
  EXPECT_EQ(a.cause_fields(), std::vector<std::string>{"metadata.name"});
  crd["metadata"]["name"] = "widgets.example.com";
  auto ok = call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(ok.body["status"]["storedVersions"], json::array({"v1"}));
  EXPECT_EQ(call("GET", "/apis/example.com/v1/widgets").status, 200);
}

// ---- strategic merge patch (k8s.io/apimachinery/pkg/util/strategicpatch) ----

TEST_F(ApiHandlerTest, StrategicMergeDirectivesAreHonouredNotStored) {
  json cm = config_map("one", {{"a", "1"}, {"b", "2"}});
  cm["metadata"]["finalizers"] = {"example.com/x", "example.com/y"};
  ASSERT_EQ(call("POST", kConfigMaps, cm).status, 201);
  const std::string url = std::string(kConfigMaps) + "/one";
  const std::string smp = "application/strategic-merge-patch+json";

  // kubectl apply's patches: finalizers merge as a set, ordered by $setElementOrder.
  auto a =
      call("PATCH", url,
           {{"metadata",
             {{"$setElementOrder/finalizers", {"example.com/z", "example.com/x", "example.com/y"}},
              {"finalizers", {"example.com/z"}}}}},
           smp);
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.body["metadata"]["finalizers"],
            json({"example.com/z", "example.com/x", "example.com/y"}));
  EXPECT_FALSE(a.body["metadata"].contains("$setElementOrder/finalizers"));

  auto b = call(
      "PATCH", url,
      {{"metadata", {{"$deleteFromPrimitiveList/finalizers", {"example.com/z", "example.com/y"}}}}},
      smp);
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(b.body["metadata"]["finalizers"], json({"example.com/x"}));

  auto c = call("PATCH", url, {{"data", {{"$patch", "replace"}, {"c", "3"}}}}, smp);
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_EQ(c.body["data"], json({{"c", "3"}}));

  auto d = call("PATCH", url, {{"data", {{"$patch", "delete"}}}}, smp);
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_FALSE(d.body.contains("data"));

  auto stored = durable_.row("/configmaps", "default", "one");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->dump().find('$'), std::string::npos) << *stored;
}

TEST_F(ApiHandlerTest, StrategicMergeRetainKeysAndBadDirectives) {
  ASSERT_EQ(call("POST", kConfigMaps, config_map("one", {{"a", "1"}, {"b", "2"}})).status, 201);
  const std::string url = std::string(kConfigMaps) + "/one";
  const std::string smp = "application/strategic-merge-patch+json";
  auto a = call("PATCH", url, {{"data", {{"$retainKeys", {"a", "c"}}, {"c", "3"}}}}, smp);
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.body["data"], json({{"a", "1"}, {"c", "3"}}));
  auto outside = call("PATCH", url, {{"data", {{"$retainKeys", {"a"}}, {"d", "4"}}}}, smp);
  EXPECT_EQ(outside.status, 422) << outside.body;
  auto bad = call("PATCH", url, {{"data", {{"$patch", "explode"}}}}, smp);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.message().find("data"), std::string::npos) << bad.message();
}

TEST_F(ApiHandlerTest, StrategicMergeOnACustomResourceIsUnsupportedMediaType) {
  ASSERT_EQ(call("POST", kServers, server("s1")).status, 201);
  auto a = call("PATCH", std::string(kServers) + "/s1", {{"spec", {{"accepted", true}}}},
                "application/strategic-merge-patch+json");
  EXPECT_EQ(a.status, 415);
  EXPECT_NE(a.message().find("application/merge-patch+json"), std::string::npos) << a.message();
}

// ---- body types and resourceVersions ----

TEST_F(ApiHandlerTest, CreateWithAnUnsupportedContentTypeIs415) {
  auto a = call("POST", kConfigMaps, config_map("one"), "text/plain");
  EXPECT_EQ(a.status, 415) << a.body;
  EXPECT_EQ(a.body["reason"], "UnsupportedMediaType");
  EXPECT_EQ(call("POST", kConfigMaps, config_map("one"), "application/json; charset=utf-8").status,
            201);
  EXPECT_EQ(call("POST", kConfigMaps, config_map("two"), "").status, 201)
      << "no Content-Type is JSON";
}

TEST_F(ApiHandlerTest, ListRejectsAMalformedResourceVersion) {
  auto a = call("GET", std::string(kConfigMaps) + "?resourceVersion=abc");
  EXPECT_EQ(a.status, 400) << a.body;
  EXPECT_NE(a.message().find("invalid resource version"), std::string::npos) << a.message();
  EXPECT_EQ(call("GET", std::string(kConfigMaps) + "?resourceVersion=-1").status, 400);
  EXPECT_EQ(call("GET", std::string(kConfigMaps) + "?resourceVersion=0").status, 200);
}

TEST_F(ApiHandlerTest, ListFromAFutureResourceVersionIsTooLarge) {
  auto a = call("GET", std::string(kConfigMaps) + "?resourceVersion=999999");
  EXPECT_EQ(a.status, 504) << a.body;
  EXPECT_EQ(a.body["reason"], "Timeout");
  EXPECT_EQ(a.body["details"]["causes"][0]["reason"], "ResourceVersionTooLarge");
  EXPECT_EQ(a.body["details"]["retryAfterSeconds"], 1);
  EXPECT_EQ(a.header("Retry-After"), "1");
  auto current = call("GET", kConfigMaps).body["metadata"]["resourceVersion"].get<std::string>();
  EXPECT_EQ(call("GET", std::string(kConfigMaps) + "?resourceVersion=" + current).status, 200);
}

TEST_F(ApiHandlerTest, WatchFromAFutureResourceVersionEndsWithTooLarge) {
  HttpRequest req;
  req.method = "GET";
  req.target = std::string(kConfigMaps) + "?watch=true&resourceVersion=999999";
  auto w = handler_.open_watch(req);
  ASSERT_FALSE(w) << "the watch was opened and would wait for resourceVersion 999999";
  json ev = json::parse(w.error().body);
  EXPECT_EQ(ev["type"], "ERROR");
  EXPECT_EQ(ev["object"]["code"], 504);
  EXPECT_NE(ev["object"].value("message", "").find("Too large resource version"),
            std::string::npos);
  // The current resourceVersion opens.
  auto current = call("GET", kConfigMaps).body["metadata"]["resourceVersion"].get<std::string>();
  req.target = std::string(kConfigMaps) + "?watch=true&resourceVersion=" + current;
  auto ok = handler_.open_watch(req);
  ASSERT_TRUE(ok);
  handler_.stop_watch(ok->get());
}

}  // namespace
}  // namespace ferrum::apiserver
