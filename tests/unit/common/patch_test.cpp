#include "ferrum/patch.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "ferrum/json_text.hpp"
#include "ferrum/yaml.hpp"

namespace ferrum::patch {
namespace {

using json = nlohmann::json;
using testing::HasSubstr;

// ---- RFC 6902: error messages ----

const json kMachineConfig = json::parse(R"({
  "version": "v1alpha1",
  "machine": {
    "type": "worker",
    "certSANs": ["10.0.0.1", "node.example.com"],
    "network": {"hostname": "node-0"}
  }
})");

struct ErrorCase {
  const char* name;
  const char* patch;  // JSON
  std::size_t index;
  const char* op;
  const char* path;
  const char* message;  // the whole of PatchError::message()
};

// gtest_discover_tests puts the printed parameter into the ctest name: keep it short.
void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class JsonPatchErrors : public testing::TestWithParam<ErrorCase> {};

TEST_P(JsonPatchErrors, NameOperationPathAndReason) {
  const ErrorCase& c = GetParam();
  const json before = kMachineConfig;
  auto result = apply_json_patch(kMachineConfig, json::parse(c.patch));
  ASSERT_FALSE(result.has_value()) << result.value().dump();
  EXPECT_EQ(result.error().index, c.index);
  EXPECT_EQ(result.error().op, c.op);
  EXPECT_EQ(result.error().path, c.path);
  EXPECT_EQ(result.error().message(), c.message);
  EXPECT_EQ(kMachineConfig, before);

  // The in-place overload fails the same way.
  auto in_place = apply_json_patch(json(kMachineConfig), json::parse(c.patch));
  ASSERT_FALSE(in_place.has_value()) << in_place.value().dump();
  EXPECT_EQ(in_place.error().message(), c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Table, JsonPatchErrors,
    testing::Values(
        ErrorCase{"MissingParent",
                  R"([{"op": "test", "path": "/machine/type", "value": "worker"},
                      {"op": "add", "path": "/machine/network/hostname", "value": "node-1"},
                      {"op": "replace", "path": "/machine/install/disk", "value": "/dev/sdb"}])",
                  2, "replace", "/machine/install/disk",
                  "operation 2 (replace /machine/install/disk): path /machine/install does not "
                  "exist: add it with op add first"},
        ErrorCase{"ReplaceMissingTarget",
                  R"([{"op": "replace", "path": "/machine/install", "value": {}}])", 0, "replace",
                  "/machine/install",
                  "operation 0 (replace /machine/install): path /machine/install does not "
                  "exist: use op add to create it"},
        ErrorCase{"AddMissingParent",
                  R"([{"op": "add", "path": "/machine/install/disk", "value": "/dev/sda"}])", 0,
                  "add", "/machine/install/disk",
                  "operation 0 (add /machine/install/disk): path /machine/install does not "
                  "exist: add it with op add first"},
        ErrorCase{"RemoveMissing", R"([{"op": "remove", "path": "/machine/install"}])", 0, "remove",
                  "/machine/install",
                  "operation 0 (remove /machine/install): path /machine/install does not exist: "
                  "nothing to remove"},
        ErrorCase{"TestFailed",
                  R"([{"op": "test", "path": "/machine/type", "value": "controlplane"}])", 0,
                  "test", "/machine/type",
                  "operation 0 (test /machine/type): test failed: expected \"controlplane\", "
                  "actual \"worker\""},
        ErrorCase{"TestMissing", R"([{"op": "test", "path": "/cluster", "value": {}}])", 0, "test",
                  "/cluster", "operation 0 (test /cluster): path /cluster does not exist"},
        ErrorCase{"AddIndexOutOfRange",
                  R"([{"op": "add", "path": "/machine/certSANs/5", "value": "x"}])", 0, "add",
                  "/machine/certSANs/5",
                  "operation 0 (add /machine/certSANs/5): array index 5 is out of range at "
                  "/machine/certSANs (the array has 2 elements; use - to append)"},
        ErrorCase{"RemoveIndexOutOfRange", R"([{"op": "remove", "path": "/machine/certSANs/2"}])",
                  0, "remove", "/machine/certSANs/2",
                  "operation 0 (remove /machine/certSANs/2): array index 2 is out of range at "
                  "/machine/certSANs (the array has 2 elements): nothing to remove"},
        ErrorCase{"LeadingZeroIndex",
                  R"([{"op": "replace", "path": "/machine/certSANs/01", "value": "x"}])", 0,
                  "replace", "/machine/certSANs/01",
                  "operation 0 (replace /machine/certSANs/01): \"01\" is not an index into the "
                  "array at /machine/certSANs (use digits without leading zeros)"},
        ErrorCase{"DashIsPastTheEnd", R"([{"op": "remove", "path": "/machine/certSANs/-"}])", 0,
                  "remove", "/machine/certSANs/-",
                  "operation 0 (remove /machine/certSANs/-): path /machine/certSANs/- does not "
                  "exist ('-' is past the end of the array): nothing to remove"},
        ErrorCase{"BelowAScalar", R"([{"op": "add", "path": "/machine/type/x", "value": 1}])", 0,
                  "add", "/machine/type/x",
                  "operation 0 (add /machine/type/x): path /machine/type is a string, not an "
                  "object or array: cannot add x to it"},
        ErrorCase{"PointerWithoutSlash", R"([{"op": "add", "path": "machine/type", "value": 1}])",
                  0, "add", "machine/type",
                  "operation 0 (add machine/type): invalid path: must be empty or start with "
                  "'/'"},
        ErrorCase{"PointerBadEscape", R"([{"op": "remove", "path": "/machine/a~2b"}])", 0, "remove",
                  "/machine/a~2b",
                  "operation 0 (remove /machine/a~2b): invalid path: '~' must be followed by 0 "
                  "or 1 (write '~' as ~0 and '/' as ~1)"},
        ErrorCase{"UnknownOp", R"([{"op": "merge", "path": "/machine"}])", 0, "merge", "",
                  "operation 0 (merge): unknown op \"merge\": use one of add, remove, replace, "
                  "move, copy, test"},
        ErrorCase{"OpNotAString", R"([{"op": 1, "path": "/machine"}])", 0, "", "",
                  "operation 0: field \"op\" must be a string, not a number"},
        ErrorCase{"MissingOp", R"([{"path": "/machine"}])", 0, "", "",
                  "operation 0: missing field \"op\""},
        ErrorCase{"MissingPath", R"([{"op": "remove"}])", 0, "remove", "",
                  "operation 0 (remove): missing field \"path\""},
        ErrorCase{"MissingValue", R"([{"op": "add", "path": "/machine/x"}])", 0, "add",
                  "/machine/x", "operation 0 (add /machine/x): missing field \"value\""},
        ErrorCase{"MissingFrom", R"([{"op": "copy", "path": "/machine/x"}])", 0, "copy",
                  "/machine/x", "operation 0 (copy /machine/x): missing field \"from\""},
        ErrorCase{"FromMissing",
                  R"([{"op": "move", "from": "/machine/install", "path": "/install"}])", 0, "move",
                  "/install",
                  "operation 0 (move /install): from: path /machine/install does not exist"},
        ErrorCase{"MoveIntoOwnChild",
                  R"([{"op": "move", "from": "/machine", "path": "/machine/network/m"}])", 0,
                  "move", "/machine/network/m",
                  "operation 0 (move /machine/network/m): cannot move /machine into its own "
                  "child"},
        ErrorCase{"OperationNotAnObject", R"([{"op": "remove", "path": "/version"}, "remove"])", 1,
                  "", "", "operation 1: an operation must be an object, not a string"},
        // a malformed operation fails the patch before earlier operations are even tried
        ErrorCase{"ValidatesBeforeApplying",
                  R"([{"op": "replace", "path": "/machine/install", "value": 1},
                      {"op": "add", "path": "/x"}])",
                  1, "add", "/x", "operation 1 (add /x): missing field \"value\""},
        ErrorCase{"NotAnArray", R"({"op": "remove", "path": "/version"})", PatchError::kWholePatch,
                  "", "", "patch: a JSON patch must be an array of operations, not an object"}),
    [](const testing::TestParamInfo<ErrorCase>& param_info) { return param_info.param.name; });

TEST(JsonPatch, AppliesInOrderAndLeavesInputAlone) {
  const json before = kMachineConfig;
  auto result = apply_json_patch(kMachineConfig, json::parse(R"([
    {"op": "add", "path": "/machine/install", "value": {"disk": "/dev/sda"}},
    {"op": "replace", "path": "/machine/install/disk", "value": "/dev/nvme0n1"},
    {"op": "add", "path": "/machine/certSANs/-", "value": "10.0.0.2"},
    {"op": "copy", "from": "/machine/type", "path": "/machine/role"},
    {"op": "move", "from": "/machine/role", "path": "/role"},
    {"op": "remove", "path": "/machine/network/hostname"},
    {"op": "test", "path": "/machine/certSANs/2", "value": "10.0.0.2"}
  ])"));
  ASSERT_TRUE(result.has_value()) << result.error().message();
  EXPECT_EQ(result.value(), json::parse(R"({
    "version": "v1alpha1",
    "role": "worker",
    "machine": {
      "type": "worker",
      "certSANs": ["10.0.0.1", "node.example.com", "10.0.0.2"],
      "network": {},
      "install": {"disk": "/dev/nvme0n1"}
    }
  })"));
  EXPECT_EQ(kMachineConfig, before);
}

TEST(JsonPatch, InPlaceOverloadPatchesTheGivenDocument) {
  json owned = kMachineConfig;
  auto result = apply_json_patch(std::move(owned), json::parse(R"([
    {"op": "replace", "path": "/machine/type", "value": "controlplane"},
    {"op": "copy", "from": "/machine/certSANs/0", "path": "/machine/certSANs/-"},
    {"op": "remove", "path": "/machine/network"}
  ])"));
  ASSERT_TRUE(result.has_value()) << result.error().message();
  EXPECT_EQ(result.value(), json::parse(R"({
    "version": "v1alpha1",
    "machine": {"type": "controlplane", "certSANs": ["10.0.0.1", "node.example.com", "10.0.0.1"]}
  })"));
}

TEST(JsonPatch, FailureLaterLeavesEarlierOperationsUnapplied) {
  const json before = kMachineConfig;
  auto result = apply_json_patch(kMachineConfig, json::parse(R"([
    {"op": "replace", "path": "/machine/type", "value": "controlplane"},
    {"op": "remove", "path": "/machine/certSANs/0"},
    {"op": "test", "path": "/machine/type", "value": "worker"}
  ])"));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().index, 2u);
  EXPECT_EQ(kMachineConfig, before);
}

TEST(JsonPatch, AcceptingAServer) {
  // DESIGN.md section 1, step 5.
  json server = {{"spec", {{"accepted", false}, {"hostname", "node-17"}}}};
  auto result = apply_json_patch(
      server, json::parse(R"([{"op":"replace","path":"/spec/accepted","value":true}])"));
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result.value()["spec"]["accepted"], true);
  EXPECT_EQ(result.value()["spec"]["hostname"], "node-17");
}

TEST(JsonPatch, EmptyPatchIsIdentityAndRootCanBeReplaced) {
  EXPECT_EQ(apply_json_patch(kMachineConfig, json::array()).value(), kMachineConfig);
  auto replaced = apply_json_patch(kMachineConfig,
                                   json::parse(R"([{"op": "replace", "path": "", "value": [1]}])"));
  ASSERT_TRUE(replaced.has_value());
  EXPECT_EQ(replaced.value(), json::array({1}));
  auto removed = apply_json_patch(kMachineConfig, json::parse(R"([{"op":"remove","path":""}])"));
  ASSERT_FALSE(removed.has_value());
  EXPECT_EQ(removed.error().message(), "operation 0 (remove): cannot remove the whole document");
}

// ---- RFC 7386 ----

struct MergeCase {
  const char* target;
  const char* patch;
  const char* result;
};

void PrintTo(const MergeCase& c, std::ostream* os) { *os << c.target << " + " << c.patch; }

class MergePatchRfc7386 : public testing::TestWithParam<MergeCase> {};

TEST_P(MergePatchRfc7386, AppendixA) {
  const json target = json::parse(GetParam().target);
  const json before = target;
  EXPECT_EQ(*apply_merge_patch(target, json::parse(GetParam().patch)),
            json::parse(GetParam().result));
  EXPECT_EQ(target, before);
}

INSTANTIATE_TEST_SUITE_P(
    AppendixA, MergePatchRfc7386,
    testing::Values(MergeCase{R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
                    MergeCase{R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
                    MergeCase{R"({"a":"b"})", R"({"a":null})", R"({})"},
                    MergeCase{R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
                    MergeCase{R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
                    MergeCase{R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
                    MergeCase{R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})",
                              R"({"a":{"b":"d"}})"},
                    MergeCase{R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
                    MergeCase{R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
                    MergeCase{R"({"a":"b"})", R"(["c"])", R"(["c"])"},
                    MergeCase{R"({"a":"foo"})", R"(null)", R"(null)"},
                    MergeCase{R"({"a":"foo"})", R"("bar")", R"("bar")"},
                    MergeCase{R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
                    MergeCase{R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
                    MergeCase{R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"}));

TEST(MergePatchRfc7386, SectionThreeExample) {
  json target = json::parse(R"({
    "title": "Goodbye!",
    "author": {"givenName": "John", "familyName": "Doe"},
    "tags": ["example", "sample"],
    "content": "This will be unchanged"
  })");
  json patch = json::parse(R"({
    "title": "Hello!",
    "phoneNumber": "+01-123-456-7890",
    "author": {"familyName": null},
    "tags": ["example"]
  })");
  EXPECT_EQ(*apply_merge_patch(target, patch), json::parse(R"({
    "title": "Hello!",
    "author": {"givenName": "John"},
    "tags": ["example"],
    "content": "This will be unchanged",
    "phoneNumber": "+01-123-456-7890"
  })"));
}

// ---- strategic patches ----

constexpr const char* kTalosStream = R"(version: v1alpha1
machine:
  type: worker
  certSANs:
    - 10.0.0.1
  kubelet:
    extraArgs:
      max-pods: "110"
  network:
    hostname: node-0
    interfaces:
      - interface: eth0
        dhcp: true
  install:
    disk: /dev/sda
    wipe: false
cluster:
  clusterName: lab
---
apiVersion: v1alpha1
kind: SideroLinkConfig
apiUrl: https://old.example:8099
---
apiVersion: v1alpha1
kind: ExtensionServiceConfig
name: foo
configFiles:
  - content: hello
    mountPath: /etc/foo
  - content: hello2
    mountPath: /etc/foo2
)";

std::vector<json> talos_stream() {
  auto docs = yaml::parse_all(kTalosStream);
  EXPECT_TRUE(docs.has_value());
  return docs.value();
}

struct StrategicCase {
  const char* name;
  const char* patch;
  std::function<void(std::vector<json>&)> expected_change;  // applied to the base stream
};

void PrintTo(const StrategicCase& c, std::ostream* os) { *os << c.name; }

class StrategicPatch : public testing::TestWithParam<StrategicCase> {};

TEST_P(StrategicPatch, MergesLikeTalos) {
  const std::vector<json> base = talos_stream();
  std::vector<json> expected = base;
  GetParam().expected_change(expected);
  auto result = apply_strategic_patch(base, GetParam().patch);
  ASSERT_TRUE(result.has_value()) << result.error().message();
  EXPECT_EQ(result.value(), expected) << yaml::emit_all(result.value());
  EXPECT_EQ(base, talos_stream());
  auto in_place = apply_strategic_patch(talos_stream(), GetParam().patch);
  ASSERT_TRUE(in_place.has_value()) << in_place.error().message();
  EXPECT_EQ(in_place.value(), expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, StrategicPatch,
    testing::Values(
        StrategicCase{"MapMergeWithoutVersion", "machine:\n  network:\n    hostname: node-1\n",
                      [](auto& d) { d[0]["machine"]["network"]["hostname"] = "node-1"; }},
        StrategicCase{"MapMergeWithVersion",
                      "version: v1alpha1\nmachine:\n  install:\n    disk: /dev/nvme0n1\n"
                      "    image: ghcr.io/siderolabs/installer:v1.7.0\n",
                      [](auto& d) {
                        d[0]["machine"]["install"]["disk"] = "/dev/nvme0n1";
                        d[0]["machine"]["install"]["image"] = "ghcr.io/siderolabs/installer:v1.7.0";
                      }},
        StrategicCase{
            "NestedMapMergeKeepsSiblings",
            "machine:\n  kubelet:\n    extraArgs:\n      node-labels: rack=12\n",
            [](auto& d) { d[0]["machine"]["kubelet"]["extraArgs"]["node-labels"] = "rack=12"; }},
        StrategicCase{"ListsAppend",
                      "machine:\n  certSANs:\n    - 10.0.0.2\n  network:\n    interfaces:\n"
                      "      - interface: eth1\n        dhcp: false\n",
                      [](auto& d) {
                        d[0]["machine"]["certSANs"].push_back("10.0.0.2");
                        d[0]["machine"]["network"]["interfaces"].push_back(
                            {{"interface", "eth1"}, {"dhcp", false}});
                      }},
        StrategicCase{"ScalarsReplaceEvenAcrossTypes", "machine:\n  install:\n    wipe: \"yes\"\n",
                      [](auto& d) { d[0]["machine"]["install"]["wipe"] = "yes"; }},
        StrategicCase{"NullChangesNothing", "machine:\n  type: ~\n  install:\n", [](auto&) {}},
        StrategicCase{"SameKindMerges",
                      "apiVersion: v1alpha1\nkind: SideroLinkConfig\napiUrl: https://new:8099\n",
                      [](auto& d) { d[1]["apiUrl"] = "https://new:8099"; }},
        StrategicCase{"NewKindAppends",
                      "apiVersion: v1alpha1\nkind: EventSinkConfig\nendpoint: '[fd00::1]:4002'\n",
                      [](auto& d) {
                        d.push_back({{"apiVersion", "v1alpha1"},
                                     {"kind", "EventSinkConfig"},
                                     {"endpoint", "[fd00::1]:4002"}});
                      }},
        StrategicCase{"SameKindOtherNameAppends",
                      "apiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: bar\n"
                      "environment:\n  - A=B\n",
                      [](auto& d) {
                        d.push_back({{"apiVersion", "v1alpha1"},
                                     {"kind", "ExtensionServiceConfig"},
                                     {"name", "bar"},
                                     {"environment", {"A=B"}}});
                      }},
        StrategicCase{"DeleteKey",
                      "machine:\n  network:\n    hostname:\n      $patch: delete\n"
                      "  install:\n    $patch: delete\n",
                      [](auto& d) {
                        d[0]["machine"]["network"].erase("hostname");
                        d[0]["machine"].erase("install");
                      }},
        StrategicCase{"DeleteMissingKeyIsNoop", "machine:\n  nodeLabels:\n    $patch: delete\n",
                      [](auto&) {}},
        StrategicCase{"DeleteListElementsByFields",
                      "apiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: foo\n"
                      "configFiles:\n  - content: hello\n    $patch: delete\n"
                      "  - content: hello3\n    mountPath: /etc/foo3\n",
                      [](auto& d) {
                        d[2]["configFiles"] = json::parse(
                            R"([{"content": "hello2", "mountPath": "/etc/foo2"},
                                {"content": "hello3", "mountPath": "/etc/foo3"}])");
                      }},
        StrategicCase{"DeleteThenReAddListElement",
                      "machine:\n  network:\n    interfaces:\n      - interface: eth0\n"
                      "        $patch: delete\n      - interface: eth0\n        dummy: true\n",
                      [](auto& d) {
                        d[0]["machine"]["network"]["interfaces"] =
                            json::parse(R"([{"interface": "eth0", "dummy": true}])");
                      }},
        StrategicCase{"DeleteDocument",
                      "apiVersion: v1alpha1\nkind: SideroLinkConfig\n$patch: delete\n",
                      [](auto& d) { d.erase(d.begin() + 1); }},
        StrategicCase{
            "DirectivesInNewContentAreDropped",
            "machine:\n  files:\n    - path: /etc/x\n      stale:\n        $patch: delete\n"
            "    - path: /etc/y\n      $patch: delete\n",
            [](auto& d) { d[0]["machine"]["files"] = json::parse(R"([{"path": "/etc/x"}])"); }},
        StrategicCase{
            "MultiDocumentPatchAppliesInOrder",
            "machine:\n  network:\n    hostname: node-1\n---\n"
            "apiVersion: v1alpha1\nkind: SideroLinkConfig\n$patch: delete\n---\n"
            "apiVersion: v1alpha1\nkind: SideroLinkConfig\napiUrl: https://new:8099\n---\n"
            "machine:\n  network:\n    hostname: node-2\n",
            [](auto& d) {
              d[0]["machine"]["network"]["hostname"] = "node-2";
              d.erase(d.begin() + 1);
              d.push_back({{"apiVersion", "v1alpha1"},
                           {"kind", "SideroLinkConfig"},
                           {"apiUrl", "https://new:8099"}});
            }},
        StrategicCase{"EmptyPatch", "---\n# nothing\n", [](auto&) {}}),
    [](const testing::TestParamInfo<StrategicCase>& param_info) { return param_info.param.name; });

struct StrategicErrorCase {
  const char* name;
  const char* patch;
  std::size_t document;
  const char* path;
  const char* message;
};

void PrintTo(const StrategicErrorCase& c, std::ostream* os) { *os << c.name; }

class StrategicPatchErrors : public testing::TestWithParam<StrategicErrorCase> {};

TEST_P(StrategicPatchErrors, NameDocumentAndReason) {
  const std::vector<json> base = talos_stream();
  auto result = apply_strategic_patch(base, GetParam().patch);
  ASSERT_FALSE(result.has_value()) << yaml::emit_all(result.value());
  EXPECT_EQ(result.error().document, GetParam().document);
  EXPECT_EQ(result.error().path, GetParam().path);
  EXPECT_EQ(result.error().message(), GetParam().message);
  EXPECT_EQ(base, talos_stream());
  auto in_place = apply_strategic_patch(talos_stream(), GetParam().patch);
  ASSERT_FALSE(in_place.has_value());
  EXPECT_EQ(in_place.error().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Table, StrategicPatchErrors,
    testing::Values(
        StrategicErrorCase{"ListIntoMap", "machine:\n  network:\n    - eth0\n", 0,
                           "/machine/network",
                           "patch document 0: type mismatch at /machine/network: cannot merge a "
                           "list into a map"},
        StrategicErrorCase{"MapIntoScalar",
                           "machine:\n  type: worker\n---\nmachine:\n  type:\n    name: x\n", 1,
                           "/machine/type",
                           "patch document 1: type mismatch at /machine/type: cannot merge a map "
                           "into a scalar (\"worker\")"},
        StrategicErrorCase{"ScalarIntoList", "machine:\n  certSANs: 10.0.0.9\n", 0,
                           "/machine/certSANs",
                           "patch document 0: type mismatch at /machine/certSANs: cannot merge a "
                           "scalar (\"10.0.0.9\") into a list"},
        StrategicErrorCase{"YamlError",
                           "machine:\n  type: worker\n---\nmachine:\n  install:\n    disk: [\n", 1,
                           "",
                           "patch document 1: YAML error at line 7, column 1: end of sequence "
                           "flow not found"},
        StrategicErrorCase{"UnsupportedDirective",
                           "machine:\n  network:\n    $patch: replace\n    hostname: x\n", 0,
                           "/machine/network",
                           "patch document 0: unsupported $patch directive \"replace\" at "
                           "/machine/network: only delete is supported"},
        StrategicErrorCase{"ListDeleteWithoutSelector",
                           "machine:\n  certSANs:\n    - $patch: delete\n", 0,
                           "/machine/certSANs/0",
                           "patch document 0: list element with $patch: delete at "
                           "/machine/certSANs/0 must have another field to select what to "
                           "delete"},
        StrategicErrorCase{"DocumentNotAMap", "machine:\n  type: worker\n---\n- a\n- b\n", 1, "",
                           "patch document 1: a patch document must be a map, not a list"}),
    [](const testing::TestParamInfo<StrategicErrorCase>& param_info) {
      return param_info.param.name;
    });

TEST(StrategicPatch, MainConfigPatchWithoutMainDocumentIsAppended) {
  std::vector<json> config = {json{{"apiVersion", "v1alpha1"}, {"kind", "SideroLinkConfig"}}};
  auto result = apply_strategic_patch(config, "machine:\n  type: worker\n");
  ASSERT_TRUE(result.has_value());
  ASSERT_EQ(result->size(), 2u);
  EXPECT_EQ((*result)[1], json({{"machine", {{"type", "worker"}}}}));
}

TEST(StrategicPatch, ParsedPatchDocumentsOverload) {
  auto result = apply_strategic_patch(talos_stream(),
                                      std::vector<json>{json{{"cluster", {{"clusterName", "x"}}}}});
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ((*result)[0]["cluster"]["clusterName"], "x");
}

// ---- nesting: every walker here recurses once per level ----
// Inputs as deep as Kubernetes allows (10000) patch; deeper ones are refused with an error
// instead of overflowing the stack (before: a merge patch of 70,000 nested arrays killed the
// API server).

json nested(std::size_t depth, json leaf = 1) {
  for (std::size_t i = 0; i < depth; ++i) leaf = json{{"a", std::move(leaf)}};
  return leaf;
}

TEST(PatchNesting, MergePatchAtTheLimitAppliesAndBeyondItIsRefused) {
  const std::size_t limit = json_text::kMaxNestingDepth;
  auto ok = apply_merge_patch(nested(limit), nested(limit, 2));
  ASSERT_TRUE(ok.has_value()) << ok.error().message();
  EXPECT_EQ(json_text::depth(*ok), limit);

  auto deep_patch = apply_merge_patch(json::object(), nested(100'000));
  ASSERT_FALSE(deep_patch.has_value());
  EXPECT_EQ(deep_patch.error().message(),
            "patch: the patch is nested too deeply: exceeded max depth of 10000");
  auto deep_doc = apply_merge_patch(nested(limit + 1), json::object());
  ASSERT_FALSE(deep_doc.has_value());
  EXPECT_THAT(deep_doc.error().reason, HasSubstr("the document is nested too deeply"));
}

TEST(PatchNesting, JsonPatchNamesTheOperationThatWouldNestTooDeep) {
  const std::size_t limit = json_text::kMaxNestingDepth;
  // The value is as deep as allowed, but it lands two levels down.
  json patch = json::array({{{"op", "add"}, {"path", "/x"}, {"value", 1}},
                            {{"op", "add"}, {"path", "/y/z"}, {"value", nested(limit - 1)}}});
  auto r = apply_json_patch(json{{"y", json::object()}}, patch);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().index, 1u);
  EXPECT_EQ(r.error().op, "add");
  EXPECT_THAT(r.error().reason, HasSubstr("exceeded max depth of 10000"));

  // One level up it fits.
  patch[1]["path"] = "/y";
  auto fits = apply_json_patch(json{{"y", json::object()}}, patch);
  ASSERT_TRUE(fits.has_value()) << fits.error().message();
  EXPECT_EQ(json_text::depth(*fits), limit);

  // copy duplicates a subtree under a deeper path.
  json doc = {{"deep", nested(limit - 1)}, {"b", json::object()}};
  auto copied =
      apply_json_patch(doc, json::array({{{"op", "copy"}, {"from", "/deep"}, {"path", "/b/c"}}}));
  ASSERT_FALSE(copied.has_value());
  EXPECT_EQ(copied.error().op, "copy");
}

TEST(PatchNesting, JsonPatchRefusesDeepDocumentsAndPaths) {
  const std::size_t limit = json_text::kMaxNestingDepth;
  auto deep = apply_json_patch(nested(limit + 1),
                               json::array({{{"op", "add"}, {"path", "/x"}, {"value", 1}}}));
  ASSERT_FALSE(deep.has_value());
  EXPECT_THAT(deep.error().message(), HasSubstr("exceeded max depth of 10000"));

  std::string long_path;
  for (std::size_t i = 0; i <= limit; ++i) long_path += "/a";
  auto path =
      apply_json_patch(json::object(), json::array({{{"op", "remove"}, {"path", long_path}}}));
  ASSERT_FALSE(path.has_value());
  EXPECT_EQ(path.error().index, 0u);
  EXPECT_THAT(path.error().reason,
              HasSubstr("invalid path: 10001 tokens: exceeded max depth of 10000"));
}

TEST(PatchNesting, StrategicPatchRefusesDeepDocuments) {
  const std::size_t limit = json_text::kMaxNestingDepth;
  auto deep_patch =
      apply_strategic_patch(talos_stream(), std::vector<json>{{{"machine", nested(limit)}}});
  ASSERT_FALSE(deep_patch.has_value());
  EXPECT_EQ(deep_patch.error().document, 0u);
  EXPECT_THAT(deep_patch.error().message(), HasSubstr("exceeded max depth of 10000"));

  auto deep_config = apply_strategic_patch(
      std::vector<json>{{{"version", "v1alpha1"}, {"machine", nested(limit)}}},
      std::vector<json>{{{"cluster", {{"clusterName", "x"}}}}});
  ASSERT_FALSE(deep_config.has_value());
  EXPECT_THAT(deep_config.error().reason, HasSubstr("the config is nested too deeply"));

  // YAML patches stop at the YAML reader's limit, with its position.
  std::string yaml_patch = std::string(100'000, '[') + std::string(100'000, ']');
  auto deep_yaml = apply_strategic_patch(talos_stream(), "machine: " + yaml_patch);
  ASSERT_FALSE(deep_yaml.has_value());
  EXPECT_THAT(deep_yaml.error().reason, HasSubstr("YAML error"));
}

}  // namespace
}  // namespace ferrum::patch
