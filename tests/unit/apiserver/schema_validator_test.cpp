#include "schema_validator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crd_fixtures.hpp"
#include "ferrum/json_text.hpp"

namespace ferrum::apiserver {
namespace {

using json = nlohmann::json;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

json schema_of(const std::string& stem, const std::string& version) {
  return testing::crd_schema(testing::load_crd(stem), version);
}

json server_schema(const std::string& version = "v1alpha2") {
  return schema_of("metal.sidero.dev_servers", version);
}

json valid_server() {
  return json::parse(R"({
    "apiVersion": "metal.sidero.dev/v1alpha2", "kind": "Server",
    "metadata": {"name": "4c4c4544-0035-3010-8030-c4c04f4a4633", "labels": {"rack": "r1"},
                 "annotations": {"a": "b"}, "finalizers": ["x"], "creationTimestamp": null},
    "spec": {
      "accepted": true, "hostname": "node-1", "pxeMode": "uefi",
      "bmc": {"endpoint": "10.0.0.5", "port": 623, "user": "admin", "pass": "secret"},
      "configPatches": [{"op": "replace", "path": "/machine/install/disk", "value": "/dev/sda"},
                        {"op": "add", "path": "/machine/network",
                         "value": {"interfaces": [{"interface": "eth0", "dhcp": true}]}}],
      "hardware": {"compute": {"processorCount": 2, "processors": [
                     {"manufacturer": "Intel", "coreCount": 8, "threadCount": 16, "speed": 2400},
                     {"manufacturer": "Intel", "coreCount": 8.0}]},
                   "memory": {"totalSize": "64 GB", "modules": [{"size": 32768}]},
                   "storage": {"devices": [{"size": 512110190592, "type": "SSD"}]}},
      "strategicPatches": ["machine:\n  install:\n    disk: /dev/sda\n"]},
    "status": {"ready": true, "power": "on", "inUse": false, "isClean": true,
               "addresses": [{"type": "InternalIP", "address": "10.0.0.10"}],
               "conditions": [{"type": "Ready", "status": "True",
                               "lastTransitionTime": "2024-05-01T10:00:00Z"}]}})");
}

std::vector<std::string> fields(const std::vector<SchemaProblem>& ps) {
  std::vector<std::string> out;
  for (const auto& p : ps) out.push_back(p.field);
  return out;
}

const SchemaProblem* find(const std::vector<SchemaProblem>& ps, const std::string& field) {
  for (const auto& p : ps) {
    if (p.field == field) return &p;
  }
  return nullptr;
}

std::string dump(const std::vector<SchemaProblem>& ps) {
  std::string s;
  for (const auto& p : ps)
    s += p.field + ": " + p.message + (p.unknown_field ? " [unknown]" : "") + "\n";
  return s;
}

TEST(SchemaValidator, RealSchemasAcceptValidObjects) {
  EXPECT_THAT(validate_against_schema(server_schema(), valid_server()), IsEmpty());

  json v1 = json::parse(R"({
    "apiVersion": "metal.sidero.dev/v1alpha1", "kind": "Server", "metadata": {"name": "u1"},
    "spec": {"accepted": false, "cpu": {"manufacturer": "Intel(R) Corporation"},
             "system": {"manufacturer": "Dell Inc.", "productName": "PowerEdge R630"},
             "bmc": {"endpoint": "10.0.0.5",
                     "userFrom": {"secretKeyRef": {"name": "bmc", "namespace": "default", "key": "user"}}},
             "managementApi": {"endpoint": "http://10.0.0.5:8080"}}})");
  auto ps = validate_against_schema(server_schema("v1alpha1"), v1);
  EXPECT_THAT(ps, IsEmpty()) << dump(ps);

  json server_class = json::parse(R"({
    "apiVersion": "metal.sidero.dev/v1alpha2", "kind": "ServerClass", "metadata": {"name": "workers"},
    "spec": {"qualifiers": {"labelSelectors": [{"my-server-label": "true"}],
                            "hardware": [{"compute": {"processorCount": 2}}]},
             "selector": {"matchLabels": {"rack": "r1"},
                          "matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]},
             "environmentRef": {"name": "default"},
             "bootFromDiskMethod": "ipxe-exit",
             "configPatches": [{"op": "add", "path": "/cluster/allowSchedulingOnMasters", "value": true}]},
    "status": {"serversAvailable": ["u1"], "serversInUse": []}})");
  ps = validate_against_schema(schema_of("metal.sidero.dev_serverclasses", "v1alpha2"),
                               server_class);
  EXPECT_THAT(ps, IsEmpty()) << dump(ps);

  json env = json::parse(R"({
    "apiVersion": "metal.sidero.dev/v1alpha2", "kind": "Environment", "metadata": {"name": "default"},
    "spec": {"kernel": {"url": "http://10.0.0.1:8081/vmlinuz", "sha512": "",
                        "args": ["console=tty0", "talos.platform=metal"]},
             "initrd": {"url": "http://10.0.0.1:8081/initramfs.xz"}},
    "status": {"conditions": [{"type": "Ready", "status": "True", "url": "http://x", "sha512": "y"}]}})");
  for (const char* version : {"v1alpha1", "v1alpha2"}) {
    ps = validate_against_schema(schema_of("metal.sidero.dev_environments", version), env);
    EXPECT_THAT(ps, IsEmpty()) << version << "\n" << dump(ps);
  }
}

TEST(SchemaValidator, TypeMismatchAtNestedPathsWithKubernetesMessages) {
  json s = valid_server();
  s["spec"]["bmc"]["port"] = "623";
  s["spec"]["accepted"] = "yes";
  s["spec"]["hardware"]["compute"]["processorCount"] = 1.5;
  s["spec"]["hostname"] = 7;
  s["spec"]["bmc"]["passFrom"] = "secret";
  auto ps = validate_against_schema(server_schema(), s);
  EXPECT_THAT(fields(ps), UnorderedElementsAre("spec.bmc.port", "spec.accepted",
                                               "spec.hardware.compute.processorCount",
                                               "spec.hostname", "spec.bmc.passFrom"))
      << dump(ps);
  EXPECT_EQ(find(ps, "spec.bmc.port")->message,
            R"(Invalid value: "string": spec.bmc.port in body must be of type integer: "string")");
  EXPECT_EQ(find(ps, "spec.accepted")->message,
            R"(Invalid value: "string": spec.accepted in body must be of type boolean: "string")");
  EXPECT_EQ(
      find(ps, "spec.hardware.compute.processorCount")->message,
      R"(Invalid value: "number": spec.hardware.compute.processorCount in body must be of type integer: "number")");
  EXPECT_EQ(find(ps, "spec.hostname")->message,
            R"(Invalid value: "integer": spec.hostname in body must be of type string: "integer")");
  EXPECT_EQ(
      find(ps, "spec.bmc.passFrom")->message,
      R"(Invalid value: "string": spec.bmc.passFrom in body must be of type object: "string")");
  for (const auto& p : ps) EXPECT_FALSE(p.unknown_field);

  json root_wrong = {{"spec", json::array()}, {"metadata", "x"}};
  ps = validate_against_schema(server_schema(), root_wrong);
  EXPECT_THAT(fields(ps), UnorderedElementsAre("spec", "metadata")) << dump(ps);
}

TEST(SchemaValidator, RequiredAtEveryLevel) {
  json s = valid_server();
  s["spec"].erase("accepted");
  s["spec"]["bmc"].erase("endpoint");
  s["spec"]["configPatches"][1].erase("op");
  s["spec"]["bmc"]["passFrom"] = {{"secretKeyRef", {{"name", "n"}}}};
  s["status"]["conditions"][0].erase("lastTransitionTime");
  auto ps = validate_against_schema(server_schema(), s);
  EXPECT_THAT(fields(ps),
              UnorderedElementsAre("spec.accepted", "spec.bmc.endpoint", "spec.configPatches[1].op",
                                   "spec.bmc.passFrom.secretKeyRef.key",
                                   "spec.bmc.passFrom.secretKeyRef.namespace",
                                   "status.conditions[0].lastTransitionTime"))
      << dump(ps);
  for (const auto& p : ps) EXPECT_EQ(p.message, "Required value") << p.field;

  // ServerClass status requires both lists.
  json sc = {{"status", {{"serversAvailable", json::array()}}}};
  ps = validate_against_schema(schema_of("metal.sidero.dev_serverclasses", "v1alpha2"), sc);
  EXPECT_THAT(fields(ps), UnorderedElementsAre("status.serversInUse")) << dump(ps);
}

TEST(SchemaValidator, Enum) {
  json s = valid_server();
  s["spec"]["pxeMode"] = "pxe";
  s["spec"]["bootFromDiskMethod"] = "http-404";  // allowed
  auto ps = validate_against_schema(server_schema(), s);
  ASSERT_EQ(ps.size(), 1u) << dump(ps);
  EXPECT_EQ(ps[0].field, "spec.pxeMode");
  EXPECT_EQ(ps[0].message, R"(Unsupported value: "pxe": supported values: "", "bios", "uefi")");
  // "" is allowed, as Sidero's Server webhook allows it (api/v1alpha2/server_webhook.go).
  s["spec"]["pxeMode"] = "";
  s["spec"]["bootFromDiskMethod"] = "";
  EXPECT_TRUE(validate_against_schema(server_schema(), s).empty());

  json schema = json::parse(R"({"type": "object", "properties": {
    "n": {"type": "integer", "enum": [1, 2]}}})");
  ps = validate_against_schema(schema, {{"n", 3}});
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].message, R"(Unsupported value: 3: supported values: "1", "2")");
}

TEST(SchemaValidator, NullableAndPruningOfNulls) {
  json schema = json::parse(R"({"type": "object", "properties": {
    "maybe": {"type": "string", "nullable": true},
    "never": {"type": "string"},
    "list": {"type": "array", "items": {"type": "string"}}}})");
  json obj = json::parse(R"({"maybe": null, "never": null, "list": ["a", null]})");
  auto ps = validate_against_schema(schema, obj);
  EXPECT_THAT(fields(ps), UnorderedElementsAre("never", "list[1]")) << dump(ps);
  EXPECT_EQ(find(ps, "never")->message,
            R"(Invalid value: "null": never in body must be of type string: "null")");

  // The API server drops nulls of non-nullable properties before validating (not list items).
  prune_to_schema(schema, obj);
  EXPECT_EQ(obj, json::parse(R"({"maybe": null, "list": ["a", null]})"));
}

TEST(SchemaValidator, IntOrString) {
  json schema = json::parse(R"({"type": "object", "properties": {
    "a": {"x-kubernetes-int-or-string": true},
    "b": {"anyOf": [{"type": "integer"}, {"type": "string"}], "x-kubernetes-int-or-string": true,
          "pattern": "^[0-9]+%?$"}}})");
  for (json ok : {json(3), json("3"), json("50%"), json(-1), json(4.0)}) {
    EXPECT_THAT(validate_against_schema(schema, {{"a", ok}}), IsEmpty()) << ok.dump();
  }
  auto ps = validate_against_schema(schema, {{"a", 1.5}, {"b", true}});
  EXPECT_THAT(fields(ps), UnorderedElementsAre("a", "b"));
  EXPECT_EQ(find(ps, "a")->message,
            R"(Invalid value: "number": a in body must be of type integer,string: "number")");
  EXPECT_EQ(find(ps, "b")->message,
            R"(Invalid value: "boolean": b in body must be of type integer,string: "boolean")");
  ps = validate_against_schema(schema, {{"b", "lots"}});
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].message, R"(Invalid value: "lots": b in body should match '^[0-9]+%?$')");
}

TEST(SchemaValidator, PreserveUnknownFieldsSubtreeAcceptsAnything) {
  json s = valid_server();
  s["spec"]["configPatches"][0]["value"] =
      json::parse(R"({"deep": {"er": [1, {"x": null}]}, "n": 1})");
  s["spec"]["configPatches"][1]["value"] = json::array({1, "two", nullptr, true});
  auto ps = validate_against_schema(server_schema(), s);
  EXPECT_THAT(ps, IsEmpty()) << dump(ps);

  // Declared properties under a preserving object are still checked; the rest is kept.
  json schema = json::parse(R"({"type": "object", "x-kubernetes-preserve-unknown-fields": true,
    "properties": {"known": {"type": "integer"}}})");
  ps = validate_against_schema(schema, {{"known", "x"}, {"other", {{"any", "thing"}}}});
  ASSERT_EQ(ps.size(), 1u) << dump(ps);
  EXPECT_EQ(ps[0].field, "known");
  EXPECT_FALSE(ps[0].unknown_field);
}

TEST(SchemaValidator, AdditionalPropertiesMaps) {
  auto schema = schema_of("metal.sidero.dev_serverclasses", "v1alpha2");
  json sc = json::parse(R"({"spec": {
    "selector": {"matchLabels": {"rack": "r1", "count": 3, "cluster.x-k8s.io/name": "c"}},
    "qualifiers": {"labelSelectors": [{"a": "b"}, {"ok": "yes", "bad": false}]}}})");
  auto ps = validate_against_schema(schema, sc);
  EXPECT_THAT(fields(ps), UnorderedElementsAre("spec.selector.matchLabels.count",
                                               "spec.qualifiers.labelSelectors[1].bad"))
      << dump(ps);
  for (const auto& p : ps) EXPECT_FALSE(p.unknown_field) << p.field;

  json allow_any = json::parse(R"({"type": "object", "additionalProperties": true})");
  EXPECT_THAT(validate_against_schema(allow_any, {{"x", {{"y", 1}}}}), IsEmpty());
}

TEST(SchemaValidator, ArraysOfObjectsHaveIndexedPaths) {
  json s = valid_server();
  s["spec"]["hardware"]["compute"]["processors"][1]["coreCount"] = "eight";
  s["spec"]["hardware"]["storage"]["devices"].push_back({{"size", "1TB"}});
  s["status"]["addresses"].push_back({{"type", "InternalIP"}});
  s["status"]["conditions"][0]["lastTransitionTime"] = "yesterday";
  s["spec"]["configPatches"][2] = "not-an-object";
  auto ps = validate_against_schema(server_schema(), s);
  EXPECT_THAT(
      fields(ps),
      UnorderedElementsAre("spec.hardware.compute.processors[1].coreCount",
                           "spec.hardware.storage.devices[1].size", "status.addresses[1].address",
                           "status.conditions[0].lastTransitionTime", "spec.configPatches[2]"))
      << dump(ps);
  EXPECT_EQ(
      find(ps, "status.conditions[0].lastTransitionTime")->message,
      R"(Invalid value: "yesterday": status.conditions[0].lastTransitionTime in body must be of type date-time: "yesterday")");
}

TEST(SchemaValidator, UnknownFieldsReportedSeparately) {
  json s = valid_server();
  s["spec"]["foo"] = 1;
  s["spec"]["bmc"]["extra"] = {{"nested", true}};
  s["spec"]["configPatches"][0]["bogus"] = "x";
  s["spec"]["configPatches"][0]["value"] = {{"free", "form"}};  // preserved: not unknown
  s["status"]["conditions"][0]["extra"] = "y";
  s["toplevel"] = "z";
  s["metadata"]["whatever"] = "metadata is not checked beyond being an object";
  s["kind"] = 5;  // apiVersion and kind are not checked here
  auto ps = validate_against_schema(server_schema(), s);
  EXPECT_THAT(fields(ps),
              UnorderedElementsAre("spec.foo", "spec.bmc.extra", "spec.configPatches[0].bogus",
                                   "status.conditions[0].extra", "toplevel"))
      << dump(ps);
  for (const auto& p : ps) {
    EXPECT_TRUE(p.unknown_field) << p.field;
    EXPECT_EQ(p.message, "unknown field \"" + p.field + "\"");
  }

  // Pruning removes exactly what was reported as unknown.
  prune_to_schema(server_schema(), s);
  EXPECT_THAT(validate_against_schema(server_schema(), s), IsEmpty());
  EXPECT_FALSE(s["spec"].contains("foo"));
  EXPECT_FALSE(s["spec"]["bmc"].contains("extra"));
  EXPECT_EQ(s["spec"]["configPatches"][0]["value"], json({{"free", "form"}}));
  EXPECT_EQ(s["metadata"]["whatever"], "metadata is not checked beyond being an object");
  EXPECT_EQ(s["kind"], 5);
  EXPECT_FALSE(s.contains("toplevel"));

  // An object schema without properties keeps nothing it is not told to preserve.
  json bare = json::parse(R"({"type": "object", "properties": {"o": {"type": "object"}}})");
  ps = validate_against_schema(bare, {{"o", {{"k", 1}}}});
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].field, "o.k");
  EXPECT_TRUE(ps[0].unknown_field);
}

TEST(SchemaValidator, ReportsEveryProblemNotOnlyTheFirst) {
  json s = valid_server();
  s["spec"]["accepted"] = 1;
  s["spec"]["pxeMode"] = "legacy";
  s["spec"].erase("bmc");
  s["spec"]["managementApi"] = json::object();
  s["spec"]["hardware"]["network"] =
      json::parse(R"({"interfaces": [{"mtu": "1500"}, {"mtu": 9000}, {"mtu": true}]})");
  s["spec"]["unknown"] = true;
  auto ps = validate_against_schema(server_schema(), s);
  EXPECT_THAT(fields(ps),
              UnorderedElementsAre("spec.accepted", "spec.pxeMode", "spec.managementApi.endpoint",
                                   "spec.hardware.network.interfaces[0].mtu",
                                   "spec.hardware.network.interfaces[2].mtu", "spec.unknown"))
      << dump(ps);
}

TEST(SchemaValidator, ValueConstraints) {
  json schema = json::parse(R"({"type": "object", "properties": {
    "port": {"type": "integer", "minimum": 1, "maximum": 65535},
    "ratio": {"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 1,
              "exclusiveMaximum": true},
    "step": {"type": "integer", "multipleOf": 5},
    "name": {"type": "string", "minLength": 2, "maxLength": 5, "pattern": "^[a-zé]+$"},
    "list": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "string"}},
    "map": {"type": "object", "maxProperties": 1, "additionalProperties": {"type": "string"}},
    "day": {"type": "string", "format": "date"},
    "blob": {"type": "string", "format": "byte"},
    "ip": {"type": "string", "format": "ipv4"},
    "ip6": {"type": "string", "format": "ipv6"},
    "size": {"type": "integer", "format": "int32"}}})");
  json good = json::parse(R"({"port": 1, "ratio": 0.5, "step": 10, "name": "éé", "list": ["a"],
    "map": {"a": "b"}, "day": "2024-02-29", "blob": "aGVsbG8=", "ip": "10.0.0.1",
    "ip6": "fe80::1", "size": 99999999999})");
  auto ps = validate_against_schema(schema, good);
  EXPECT_THAT(ps, IsEmpty()) << dump(ps);

  json bad = json::parse(R"({"port": 0, "ratio": 1, "step": 7, "name": "abcdef1", "list": [],
    "map": {"a": "b", "c": "d"}, "day": "2023-02-29", "blob": "a", "ip": "10.0.0.256",
    "ip6": "fe80:::1"})");
  ps = validate_against_schema(schema, bad);
  std::map<std::string, std::vector<std::string>> by_field;
  for (const auto& p : ps) by_field[p.field].push_back(p.message);
  EXPECT_EQ(by_field["port"],
            std::vector<std::string>{
                "Invalid value: 0: port in body should be greater than or equal to 1"});
  EXPECT_EQ(by_field["ratio"],
            std::vector<std::string>{"Invalid value: 1: ratio in body should be less than 1"});
  EXPECT_EQ(by_field["step"],
            std::vector<std::string>{"Invalid value: 7: step in body should be a multiple of 5"});
  EXPECT_EQ(by_field["name"],
            (std::vector<std::string>{
                "Too long: may not be longer than 5",
                R"(Invalid value: "abcdef1": name in body should match '^[a-zé]+$')"}));
  EXPECT_EQ(by_field["list"], std::vector<std::string>{
                                  "Invalid value: 0: list in body should have at least 1 items"});
  EXPECT_EQ(by_field["map"], std::vector<std::string>{"Too many: 2: must have at most 1 items"});
  EXPECT_EQ(by_field["day"].size(), 1u);
  EXPECT_EQ(by_field["blob"].size(), 1u);
  EXPECT_EQ(by_field["ip"].size(), 1u);
  EXPECT_EQ(by_field["ip6"].size(), 1u);
  EXPECT_EQ(by_field.size(), 10u) << dump(ps);

  ps = validate_against_schema(schema, {{"list", {"a", "b", "c"}}, {"name", "a"}});
  EXPECT_THAT(fields(ps), UnorderedElementsAre("list", "name"));
  EXPECT_EQ(find(ps, "list")->message, "Too many: 3: must have at most 2 items");
  EXPECT_EQ(find(ps, "name")->message,
            R"(Invalid value: "a": name in body should be at least 2 chars long)");
}

TEST(SchemaValidator, NoSchemaValidatesNothing) {
  EXPECT_THAT(validate_against_schema(nullptr, {{"anything", 1}}), IsEmpty());
}

// The validator recurses once per level of schema and object: a CRD whose schema and object
// nest as deep as Kubernetes' decoding limit allows get a problem, not a stack overflow
// (before the bound, 10,000 levels overflowed an 8 MB stack at about level 5,900).
TEST(SchemaValidator, NestingBeyondTheLimitIsAProblemNotACrash) {
  const std::size_t limit = kMaxValidationDepth;
  json schema = {{"type", "integer"}};
  json object = 1;
  for (std::size_t i = 0; i < json_text::kMaxNestingDepth / 2; ++i) {
    schema = {{"type", "object"}, {"properties", {{"a", std::move(schema)}}}};
    object = {{"a", std::move(object)}};
  }
  auto problems = validate_against_schema(schema, object);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0].message, ::testing::HasSubstr("exceeded max depth of 1000"));
  EXPECT_EQ(problems[0].field.size(), 2 * (limit + 1) - 1);  // a.a.a... at the level refused
  json pruned = object;
  prune_to_schema(schema, pruned);
  EXPECT_EQ(pruned, object);
}

}  // namespace
}  // namespace ferrum::apiserver
