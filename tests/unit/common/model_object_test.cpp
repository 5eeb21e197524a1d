#include <gtest/gtest.h>

#include "ferrum/model/kinds.hpp"
#include "ferrum/model/object.hpp"
#include "ferrum/model/server.hpp"

namespace ferrum::model {
namespace {

using namespace std::chrono;

// A Server as a real cluster might return it, including fields Ferrum does not model
// (managedFields, a future spec field, unknown keys inside known objects).
constexpr const char* kServerJson = R"json({
  "apiVersion": "metal.sidero.dev/v1alpha2",
  "kind": "Server",
  "metadata": {
    "name": "4c4c4544-0035-5010-8056-b7c04f4c3232",
    "uid": "0b7b3c2e-1111-2222-3333-444455556666",
    "resourceVersion": "12345",
    "generation": 3,
    "creationTimestamp": "2024-03-01T10:00:00Z",
    "labels": {"rack": "r1", "zone": "a"},
    "annotations": {"note": "keep me"},
    "finalizers": ["storage.finalizers.server.k8s.io"],
    "managedFields": [{"manager": "kubectl", "operation": "Update", "fieldsV1": {"f:spec": {}}}]
  },
  "spec": {
    "accepted": false,
    "hostname": "node-1",
    "futureField": {"nested": [1, 2.5, "x", null, true]},
    "bmc": {"endpoint": "10.0.0.5", "user": "admin", "vendorExtension": "ipmi-2.0"},
    "hardware": {
      "system": {"uuid": "4c4c4544-0035-5010-8056-b7c04f4c3232", "manufacturer": "Dell Inc.",
                 "tpmVersion": "2.0"},
      "compute": {"processorCount": 1, "processors": [{"manufacturer": "Intel", "speed": 2400}]},
      "gpu": {"count": 2}
    }
  },
  "status": {"ready": false, "power": "off", "extra": {"a": 1}}
})json";

// Replaces the first occurrence of `from` in s with `to`; the test fails if it is absent.
std::string replace_once(std::string s, const std::string& from, const std::string& to) {
  auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

TEST(ModelObject, UnknownFieldsSurviveReadModifyWriteByteForByte) {
  json parsed = json::parse(kServerJson);
  const std::string canonical = parsed.dump();

  Server server{parsed};
  server.set_accepted(true);
  std::string expected = replace_once(canonical, R"("accepted":false)", R"("accepted":true)");
  EXPECT_EQ(server.raw().dump(), expected);

  // A structured setter keeps unknown keys inside the object it writes.
  Server again{json::parse(kServerJson)};
  Bmc bmc = *again.bmc();
  bmc.pass = "secret";
  again.set_bmc(bmc);
  expected = replace_once(canonical, R"("endpoint":"10.0.0.5",)",
                          R"("endpoint":"10.0.0.5","pass":"secret",)");
  EXPECT_EQ(again.raw().dump(), expected);
}

TEST(ModelObject, MetadataAccessors) {
  Object o{json::parse(kServerJson)};
  EXPECT_EQ(o.api_version(), "metal.sidero.dev/v1alpha2");
  EXPECT_EQ(o.kind(), "Server");
  EXPECT_EQ(o.name(), "4c4c4544-0035-5010-8056-b7c04f4c3232");
  EXPECT_EQ(o.namespace_(), "");
  EXPECT_EQ(o.uid(), "0b7b3c2e-1111-2222-3333-444455556666");
  EXPECT_EQ(o.resource_version(), "12345");
  EXPECT_EQ(o.generation(), 3);
  EXPECT_EQ(o.creation_timestamp(), sys_days{2024y / March / 1} + 10h);
  EXPECT_FALSE(o.deletion_timestamp());
  EXPECT_FALSE(o.is_being_deleted());

  o.set_namespace("default");
  o.set_name("other");
  o.set_uid("u2");
  o.set_resource_version("99");
  o.set_generation(4);
  o.set_api_version("v1");
  o.set_kind("Thing");
  EXPECT_EQ(o.namespace_(), "default");
  EXPECT_EQ(o.name(), "other");
  EXPECT_EQ(o.uid(), "u2");
  EXPECT_EQ(o.resource_version(), "99");
  EXPECT_EQ(o.generation(), 4);
  EXPECT_EQ(o.api_version(), "v1");
  EXPECT_EQ(o.kind(), "Thing");
  o.clear_resource_version();
  EXPECT_FALSE(o.raw()["metadata"].contains("resourceVersion"));

  auto del = sys_days{2024y / December / 31} + 23h + 59min + 59s;
  o.set_deletion_timestamp(del);
  EXPECT_EQ(o.raw()["metadata"]["deletionTimestamp"], "2024-12-31T23:59:59Z");
  EXPECT_EQ(o.deletion_timestamp(), del);
  EXPECT_TRUE(o.is_being_deleted());
  o.set_creation_timestamp(del);
  EXPECT_EQ(o.creation_timestamp(), del);
}

TEST(ModelObject, EmptyObjectIsSafeToReadAndCreatesParentsOnWrite) {
  Object o;
  EXPECT_EQ(o.name(), "");
  EXPECT_TRUE(o.labels().empty());
  EXPECT_TRUE(o.finalizers().empty());
  EXPECT_TRUE(o.owner_references().empty());
  EXPECT_FALSE(o.generation());
  EXPECT_FALSE(o.label("x"));
  o.set_label("a", "b");
  EXPECT_EQ(o.raw(), json::parse(R"({"metadata":{"labels":{"a":"b"}}})"));

  // Mistyped fields read as absent and are replaced on write.
  Object bad{json::parse(R"({"metadata": "oops", "apiVersion": 7})")};
  EXPECT_EQ(bad.api_version(), "");
  EXPECT_EQ(bad.name(), "");
  bad.set_name("n");
  EXPECT_EQ(bad.name(), "n");
}

TEST(ModelObject, LabelsAndAnnotations) {
  Object o{json::parse(kServerJson)};
  EXPECT_EQ(o.labels(), (Labels{{"rack", "r1"}, {"zone", "a"}}));
  EXPECT_EQ(o.label("rack"), "r1");
  EXPECT_FALSE(o.label("missing"));
  o.set_label("rack", "r2");
  EXPECT_EQ(o.label("rack"), "r2");
  EXPECT_TRUE(o.remove_label("rack"));
  EXPECT_FALSE(o.remove_label("rack"));
  EXPECT_TRUE(o.remove_label("zone"));
  EXPECT_FALSE(o.raw()["metadata"].contains("labels")) << "empty map must be removed";

  EXPECT_EQ(o.annotation("note"), "keep me");
  o.set_annotation("other", "v");
  EXPECT_EQ(o.annotations().size(), 2u);
  EXPECT_TRUE(o.remove_annotation("note"));
  EXPECT_TRUE(o.remove_annotation("other"));
  EXPECT_FALSE(o.raw()["metadata"].contains("annotations"));
  EXPECT_FALSE(o.remove_annotation("other"));
}

TEST(ModelObject, Finalizers) {
  Object o;
  EXPECT_FALSE(o.has_finalizer("a"));
  EXPECT_TRUE(o.add_finalizer("a"));
  EXPECT_FALSE(o.add_finalizer("a")) << "adding twice changes nothing";
  EXPECT_TRUE(o.add_finalizer("b"));
  EXPECT_EQ(o.finalizers(), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(o.has_finalizer("b"));
  EXPECT_TRUE(o.remove_finalizer("a"));
  EXPECT_FALSE(o.remove_finalizer("a"));
  EXPECT_EQ(o.finalizers(), (std::vector<std::string>{"b"}));
  EXPECT_TRUE(o.remove_finalizer("b"));
  EXPECT_FALSE(o.raw()["metadata"].contains("finalizers"));
}

TEST(ModelObject, OwnerReferences) {
  Object o;
  OwnerReference machine{"cluster.x-k8s.io/v1beta1", "Machine", "m-1", "uid-m", true, true};
  OwnerReference other{"v1", "ConfigMap", "cm", "uid-c", std::nullopt, std::nullopt};
  EXPECT_FALSE(o.controller_owner());
  EXPECT_TRUE(o.add_owner_reference(other));
  EXPECT_TRUE(o.add_owner_reference(machine));
  EXPECT_FALSE(o.add_owner_reference(machine)) << "same uid and content: no change";
  EXPECT_EQ(o.owner_references().size(), 2u);
  EXPECT_EQ(o.controller_owner(), machine);
  EXPECT_TRUE(o.is_owned_by("uid-m"));
  EXPECT_FALSE(o.is_owned_by("uid-x"));
  EXPECT_EQ(o.owner_of_kind("cluster.x-k8s.io", "Machine"), machine);
  EXPECT_EQ(o.owner_of_kind("", "ConfigMap"), other);
  EXPECT_FALSE(o.owner_of_kind("infrastructure.cluster.x-k8s.io", "Machine"));

  // Same uid replaces the entry.
  OwnerReference renamed = machine;
  renamed.name = "m-2";
  EXPECT_TRUE(o.add_owner_reference(renamed));
  EXPECT_EQ(o.owner_references().size(), 2u);
  EXPECT_EQ(o.controller_owner()->name, "m-2");

  const json& written = o.raw()["metadata"]["ownerReferences"][0];
  EXPECT_EQ(written,
            json::parse(R"({"apiVersion":"v1","kind":"ConfigMap","name":"cm","uid":"uid-c"})"));

  EXPECT_TRUE(o.remove_owner_reference("uid-c"));
  EXPECT_FALSE(o.remove_owner_reference("uid-c"));
  EXPECT_TRUE(o.remove_owner_reference("uid-m"));
  EXPECT_FALSE(o.raw()["metadata"].contains("ownerReferences"));
}

TEST(ModelJsonFields, FindEnsureEraseAndZeroValues) {
  json j = json::parse(R"({"a": {"b": 1, "s": "x", "t": true, "l": ["p", 2, "q"]}, "n": -4})");
  EXPECT_EQ(*find_field(j, {"a", "b"}), 1);
  EXPECT_EQ(find_field(j, {"a", "zz"}), nullptr);
  EXPECT_EQ(find_field(j, {"a", "b", "c"}), nullptr) << "descending into a scalar";
  EXPECT_EQ(get_string(j, {"a", "s"}), "x");
  EXPECT_FALSE(get_string(j, {"a", "b"})) << "wrong type reads as absent";
  EXPECT_EQ(get_bool(j, {"a", "t"}), true);
  EXPECT_EQ(get_int(j, {"n"}), -4);
  EXPECT_EQ(get_string_list(j, {"a", "l"}), (std::vector<std::string>{"p", "q"}));

  set_field(j, {"a", "b", "c"}, 5);  // replaces the scalar parent
  EXPECT_EQ(j["a"]["b"], json::parse(R"({"c":5})"));
  ensure_field(j, {"x", "y"}) = "z";
  EXPECT_EQ(j["x"]["y"], "z");
  EXPECT_TRUE(erase_field(j, {"x", "y"}));
  EXPECT_FALSE(erase_field(j, {"x", "y"}));
  EXPECT_EQ(j["x"], json::object()) << "parents stay";

  for (const char* zero : {"null", "\"\"", "0", "0.0", "false", "{}", "[]"}) {
    EXPECT_TRUE(is_zero_value(json::parse(zero))) << zero;
  }
  for (const char* nonzero : {"\"a\"", "1", "-1", "0.5", "true", "{\"a\":1}", "[0]"}) {
    EXPECT_FALSE(is_zero_value(json::parse(nonzero))) << nonzero;
  }
}

TEST(ModelTime, FormatAndParseRfc3339) {
  auto t = sys_days{2024y / February / 29} + 1h + 2min + 3s;
  EXPECT_EQ(format_rfc3339(t), "2024-02-29T01:02:03Z");
  EXPECT_EQ(parse_rfc3339("2024-02-29T01:02:03Z"), t);
  EXPECT_EQ(parse_rfc3339("2024-02-29T01:02:03.123456Z"), t);
  EXPECT_EQ(parse_rfc3339("2024-02-29T03:02:03+02:00"), t);
  EXPECT_EQ(parse_rfc3339("2024-02-28T23:32:03-01:30"), t);
  EXPECT_EQ(format_rfc3339(sys_seconds{}), "1970-01-01T00:00:00Z");
  for (const char* bad :
       {"", "2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-01-01 00:00:00Z",
        "2024-01-01T00:00:00", "2024-01-01T24:00:00Z", "2024-01-01T00:00:60Z",
        "2024-1-01T00:00:00Z", "2024-01-01T00:00:00Zjunk", "2024-01-01T00:00:00.Z"}) {
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
  }
}

TEST(ModelKinds, LookupsAndApiVersions) {
  EXPECT_EQ(kServer.api_version(), "metal.sidero.dev/v1alpha2");
  EXPECT_EQ(kServer.plural, "servers");
  EXPECT_FALSE(kServer.namespaced);
  EXPECT_TRUE(kServer.serves("v1alpha1"));
  EXPECT_TRUE(kServer.serves("v1alpha2"));
  EXPECT_FALSE(kServer.serves("v1alpha3"));
  EXPECT_EQ(kServer.list_kind(), "ServerList");
  EXPECT_EQ(kMetalMachine.api_version(), "infrastructure.cluster.x-k8s.io/v1alpha3");
  EXPECT_TRUE(kMetalMachine.namespaced);
  EXPECT_FALSE(kMetalMachine.serves("v1alpha1"));
  EXPECT_FALSE(kServerBinding.namespaced);
  EXPECT_EQ(kSecret.api_version(), "v1");
  EXPECT_EQ(kCluster.api_version(), "cluster.x-k8s.io/v1beta1");

  EXPECT_EQ(find_kind("metal.sidero.dev", "ServerClass"), &kServerClass);
  EXPECT_EQ(find_kind_by_plural("infrastructure.cluster.x-k8s.io", "serverbindings"),
            &kServerBinding);
  EXPECT_EQ(find_kind_by_plural("", "secrets"), &kSecret);
  EXPECT_EQ(find_kind("metal.sidero.dev", "Nope"), nullptr);
  EXPECT_EQ(find_kind("other.group", "Server"), nullptr);

  GroupVersion gv = parse_api_version("metal.sidero.dev/v1alpha1");
  EXPECT_EQ(gv.group, "metal.sidero.dev");
  EXPECT_EQ(gv.version, "v1alpha1");
  gv = parse_api_version("v1");
  EXPECT_EQ(gv.group, "");
  EXPECT_EQ(gv.version, "v1");
}

}  // namespace
}  // namespace ferrum::model
