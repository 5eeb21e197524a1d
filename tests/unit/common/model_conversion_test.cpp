#include <gtest/gtest.h>

#include "ferrum/model/conversion.hpp"

namespace ferrum::model {
namespace {

// The v1alpha1 Server from Sidero's documentation, plus fields Ferrum does not model.
constexpr const char* kServerV1 = R"json({
  "apiVersion": "metal.sidero.dev/v1alpha1",
  "kind": "Server",
  "metadata": {"name": "00000000-0000-0000-0000-d05099d33360", "labels": {"rack": "1"}},
  "spec": {
    "accepted": true,
    "configPatches": [{"op": "replace", "path": "/cluster/network/cni",
                       "value": {"name": "custom", "urls": ["http://192.168.1.199/cni.yaml"]}}],
    "cpu": {"manufacturer": "QEMU", "version": "pc-q35-5.2"},
    "system": {"family": "Unknown", "manufacturer": "QEMU", "productName": "Standard PC",
               "serialNumber": "Unknown", "skuNumber": "Unknown", "version": "pc-q35-5.2"},
    "futureField": [1, 2]
  },
  "status": {"ready": true, "isClean": true}
})json";

constexpr const char* kServerV2 = R"json({
  "apiVersion": "metal.sidero.dev/v1alpha2",
  "kind": "Server",
  "metadata": {"name": "00000000-0000-0000-0000-d05099d33360", "labels": {"rack": "1"}},
  "spec": {
    "accepted": true,
    "configPatches": [{"op": "replace", "path": "/cluster/network/cni",
                       "value": {"name": "custom", "urls": ["http://192.168.1.199/cni.yaml"]}}],
    "hardware": {
      "system": {"family": "Unknown", "manufacturer": "QEMU", "productName": "Standard PC",
                 "serialNumber": "Unknown", "skuNumber": "Unknown", "version": "pc-q35-5.2"},
      "compute": {"processors": [{"manufacturer": "QEMU", "productName": "pc-q35-5.2"}]}
    },
    "futureField": [1, 2]
  },
  "status": {"ready": true, "isClean": true}
})json";

json must_convert(const json& obj, std::string_view to) {
  auto out = convert(obj, to);
  EXPECT_TRUE(out.has_value()) << (out ? "" : out.error());
  return out ? *out : json();
}

TEST(ModelConversion, ServerUpMapsSystemAndCpu) {
  EXPECT_EQ(must_convert(json::parse(kServerV1), "v1alpha2"), json::parse(kServerV2));
}

TEST(ModelConversion, ServerDownMapsHardwareBack) {
  EXPECT_EQ(must_convert(json::parse(kServerV2), "v1alpha1"), json::parse(kServerV1));
}

TEST(ModelConversion, ServerRoundTripsFromV1AndFromV2) {
  json v1 = json::parse(kServerV1);
  EXPECT_EQ(must_convert(must_convert(v1, "v1alpha2"), "v1alpha1"), v1);
  json v2 = json::parse(kServerV2);
  EXPECT_EQ(must_convert(must_convert(v2, "metal.sidero.dev/v1alpha1"), "v1alpha2"), v2);
}

TEST(ModelConversion, ServerWithoutHardwareOnlyChangesApiVersion) {
  json v2 = json::parse(R"({"apiVersion": "metal.sidero.dev/v1alpha2", "kind": "Server",
                            "metadata": {"name": "x"}, "spec": {"accepted": false}})");
  json v1 = must_convert(v2, "v1alpha1");
  json expected = v2;
  expected["apiVersion"] = "metal.sidero.dev/v1alpha1";
  EXPECT_EQ(v1, expected);
  EXPECT_EQ(must_convert(v1, "v1alpha2"), v2);
}

// A full v1alpha2 inventory does not fit v1alpha1: the down-converted object carries the
// v1alpha2 fields in the annotation, and converting up restores them exactly.
TEST(ModelConversion, LossyDownConversionIsRestoredFromAnnotation) {
  json v2 = json::parse(R"({
    "apiVersion": "metal.sidero.dev/v1alpha2", "kind": "Server", "metadata": {"name": "x"},
    "spec": {"hardware": {
      "system": {"uuid": "x", "manufacturer": "Dell"},
      "compute": {"processorCount": 2, "processors": [
        {"manufacturer": "Intel", "productName": "Xeon", "speed": 2400, "coreCount": 8},
        {"manufacturer": "Intel", "productName": "Xeon"}]},
      "memory": {"totalSize": "64 GB"}}}})");
  json v1 = must_convert(v2, "v1alpha1");
  EXPECT_EQ(v1["spec"]["system"], json::parse(R"({"manufacturer": "Dell"})"));
  EXPECT_EQ(v1["spec"]["cpu"], json::parse(R"({"manufacturer": "Intel", "version": "Xeon"})"));
  EXPECT_FALSE(v1["spec"].contains("hardware"));
  ASSERT_TRUE(v1["metadata"]["annotations"].contains(kConversionDataAnnotation));

  EXPECT_EQ(must_convert(v1, "v1alpha2"), v2) << "annotation consumed, hardware restored";
}

// If a v1alpha1 client edits the converted fields, its edit wins and the saved data goes.
TEST(ModelConversion, EditInOlderVersionWinsOverSavedData) {
  json v2 = json::parse(R"({
    "apiVersion": "metal.sidero.dev/v1alpha2", "kind": "Server", "metadata": {"name": "x"},
    "spec": {"hardware": {"system": {"uuid": "x", "manufacturer": "Dell"},
                          "memory": {"totalSize": "64 GB"}}}})");
  json v1 = must_convert(v2, "v1alpha1");
  v1["spec"]["system"]["manufacturer"] = "HPE";
  json back = must_convert(v1, "v1alpha2");
  EXPECT_EQ(back["spec"]["hardware"], json::parse(R"({"system": {"manufacturer": "HPE"}})"));
  EXPECT_FALSE(back["metadata"].contains("annotations"));

  // An edit elsewhere (here: accepting the Server) keeps the saved data usable.
  json v1b = must_convert(v2, "v1alpha1");
  v1b["spec"]["accepted"] = true;
  json back_b = must_convert(v1b, "v1alpha2");
  EXPECT_EQ(back_b["spec"]["hardware"], v2["spec"]["hardware"]);
  EXPECT_EQ(back_b["spec"]["accepted"], true);
}

TEST(ModelConversion, OtherAnnotationsAreLeftAlone) {
  json v2 = json::parse(R"({
    "apiVersion": "metal.sidero.dev/v1alpha2", "kind": "Server",
    "metadata": {"name": "x", "annotations": {"keep": "me"}},
    "spec": {"hardware": {"memory": {"totalSize": "1 GB"}}}})");
  json v1 = must_convert(v2, "v1alpha1");
  EXPECT_EQ(v1["metadata"]["annotations"]["keep"], "me");
  EXPECT_EQ(v1["metadata"]["annotations"].size(), 2u);
  EXPECT_EQ(must_convert(v1, "v1alpha2"), v2);
}

TEST(ModelConversion, StaleOrMalformedAnnotationIsDropped) {
  json v1 = json::parse(kServerV1);
  v1["metadata"]["annotations"][std::string(kConversionDataAnnotation)] = "{not json";
  EXPECT_EQ(must_convert(v1, "v1alpha2"), json::parse(kServerV2));
}

// The annotation is client text copied into the converted object: nested past Kubernetes'
// limit (here 100,000 levels in 200 KB) it is dropped like a malformed one, not copied
// recursively until the stack runs out.
TEST(ModelConversion, DeeplyNestedAnnotationIsDropped) {
  json v1 = json::parse(kServerV1);
  std::string deep = R"({"version":"v1alpha2","fields":)" + std::string(100'000, '[') +
                     std::string(100'000, ']') + "}";
  v1["metadata"]["annotations"][std::string(kConversionDataAnnotation)] = deep;
  EXPECT_EQ(must_convert(v1, "v1alpha2"), json::parse(kServerV2));
}

// The lossy cases in the other direction: v1alpha1 input that v1alpha2 cannot say.
TEST(ModelConversion, OddV1InputRoundTripsThroughAnnotation) {
  // cpu carrying a key named like the v1alpha2 field it maps onto.
  json v1 = json::parse(R"({"apiVersion": "metal.sidero.dev/v1alpha1", "kind": "Server",
    "metadata": {"name": "x"},
    "spec": {"cpu": {"manufacturer": "AMD", "version": "EPYC", "productName": "stray"}}})");
  json v2 = must_convert(v1, "v1alpha2");
  EXPECT_EQ(v2["spec"]["hardware"]["compute"]["processors"][0]["productName"], "EPYC");
  EXPECT_TRUE(v2["metadata"]["annotations"].contains(kConversionDataAnnotation));
  EXPECT_EQ(must_convert(v2, "v1alpha1"), v1);
}

constexpr const char* kServerClassV1 = R"json({
  "apiVersion": "metal.sidero.dev/v1alpha1",
  "kind": "ServerClass",
  "metadata": {"name": "intel-dell"},
  "spec": {
    "environmentRef": {"name": "default"},
    "qualifiers": {
      "cpu": [{"manufacturer": "Intel(R) Corporation", "version": "Intel(R) Atom(TM) CPU C3558 @ 2.20GHz"},
              {"manufacturer": "Advanced Micro Devices, Inc."}],
      "systemInformation": [{"manufacturer": "Dell Inc."}],
      "labelSelectors": [{"my-server-label": "true"}]
    },
    "selector": {"matchLabels": {"common-label": "true"}},
    "configPatches": [{"op": "add", "path": "/machine/install/disk", "value": "/dev/sda"}]
  }
})json";

constexpr const char* kServerClassV2 = R"json({
  "apiVersion": "metal.sidero.dev/v1alpha2",
  "kind": "ServerClass",
  "metadata": {"name": "intel-dell"},
  "spec": {
    "environmentRef": {"name": "default"},
    "qualifiers": {
      "hardware": [
        {"system": {"manufacturer": "Dell Inc."}},
        {"compute": {"processors": [{"manufacturer": "Intel(R) Corporation",
                                     "productName": "Intel(R) Atom(TM) CPU C3558 @ 2.20GHz"}]}},
        {"compute": {"processors": [{"manufacturer": "Advanced Micro Devices, Inc."}]}}
      ],
      "labelSelectors": [{"my-server-label": "true"}]
    },
    "selector": {"matchLabels": {"common-label": "true"}},
    "configPatches": [{"op": "add", "path": "/machine/install/disk", "value": "/dev/sda"}]
  }
})json";

TEST(ModelConversion, ServerClassBothWays) {
  EXPECT_EQ(must_convert(json::parse(kServerClassV1), "v1alpha2"), json::parse(kServerClassV2));
  EXPECT_EQ(must_convert(json::parse(kServerClassV2), "v1alpha1"), json::parse(kServerClassV1));
}

TEST(ModelConversion, ServerClassRoundTrips) {
  json v1 = json::parse(kServerClassV1);
  EXPECT_EQ(must_convert(must_convert(v1, "v1alpha2"), "v1alpha1"), v1);
  json v2 = json::parse(kServerClassV2);
  EXPECT_EQ(must_convert(must_convert(v2, "v1alpha1"), "v1alpha2"), v2);
}

TEST(ModelConversion, ServerClassLossyHardwareEntriesSurviveViaAnnotation) {
  // An entry combining system and compute, a memory qualifier, and a second processor: none of
  // these exist in v1alpha1.
  json v2 = json::parse(R"({"apiVersion": "metal.sidero.dev/v1alpha2", "kind": "ServerClass",
    "metadata": {"name": "big"},
    "spec": {"qualifiers": {"hardware": [
      {"system": {"manufacturer": "Dell Inc."},
       "compute": {"processors": [{"manufacturer": "Intel"}, {"manufacturer": "Intel"}]}},
      {"memory": {"totalSize": "256 GB"}}]}}})");
  json v1 = must_convert(v2, "v1alpha1");
  EXPECT_EQ(v1["spec"]["qualifiers"], json::parse(R"({
    "systemInformation": [{"manufacturer": "Dell Inc."}],
    "cpu": [{"manufacturer": "Intel"}]})"));
  EXPECT_EQ(must_convert(v1, "v1alpha2"), v2);

  // Without the annotation (e.g. stripped by a client), what v1alpha1 kept is all there is.
  v1["metadata"].erase("annotations");
  json degraded = must_convert(v1, "v1alpha2");
  EXPECT_EQ(degraded["spec"]["qualifiers"]["hardware"], json::parse(R"([
    {"system": {"manufacturer": "Dell Inc."}},
    {"compute": {"processors": [{"manufacturer": "Intel"}]}}])"));
}

TEST(ModelConversion, ServerClassEmptyListsRoundTrip) {
  json v1 = json::parse(R"({"apiVersion": "metal.sidero.dev/v1alpha1", "kind": "ServerClass",
    "metadata": {"name": "e"}, "spec": {"qualifiers": {"cpu": []}}})");
  json v2 = must_convert(v1, "v1alpha2");
  EXPECT_EQ(v2["spec"]["qualifiers"]["hardware"], json::array());
  EXPECT_EQ(must_convert(v2, "v1alpha1"), v1);
}

TEST(ModelConversion, EnvironmentOnlyChangesApiVersion) {
  json v1 = json::parse(R"({"apiVersion": "metal.sidero.dev/v1alpha1", "kind": "Environment",
    "metadata": {"name": "default"},
    "spec": {"kernel": {"url": "http://x/vmlinuz", "sha512": "", "args": ["console=tty0"]},
             "initrd": {"url": "http://x/initramfs.xz"}},
    "status": {"conditions": [{"url": "http://x/vmlinuz", "status": "True", "type": "Ready"}]}})");
  json v2 = must_convert(v1, "v1alpha2");
  json expected = v1;
  expected["apiVersion"] = "metal.sidero.dev/v1alpha2";
  EXPECT_EQ(v2, expected);
  EXPECT_EQ(must_convert(v2, "v1alpha1"), v1);
}

TEST(ModelConversion, SameVersionIsIdentity) {
  json v2 = json::parse(kServerV2);
  EXPECT_EQ(must_convert(v2, "v1alpha2"), v2);
}

TEST(ModelConversion, ListsConvertEveryItem) {
  json list{{"apiVersion", "metal.sidero.dev/v1alpha1"},
            {"kind", "ServerList"},
            {"metadata", {{"resourceVersion", "5"}}},
            {"items", json::array({json::parse(kServerV1), json::parse(kServerV1)})}};
  json out = must_convert(list, "v1alpha2");
  EXPECT_EQ(out["apiVersion"], "metal.sidero.dev/v1alpha2");
  EXPECT_EQ(out["metadata"]["resourceVersion"], "5");
  ASSERT_EQ(out["items"].size(), 2u);
  EXPECT_EQ(out["items"][1], json::parse(kServerV2));
}

TEST(ModelConversion, Errors) {
  struct Case {
    const char* obj;
    const char* to;
    const char* want;  // substring of the error
  };
  const Case cases[] = {
      {R"([])", "v1alpha2", "JSON object"},
      {R"({"kind": "Server"})", "v1alpha2", "apiVersion: required"},
      {R"({"apiVersion": "v1", "kind": "Secret"})", "v1alpha2", "not in group"},
      {R"({"apiVersion": "metal.sidero.dev/v9", "kind": "Server"})", "v1alpha2",
       "unknown version v9"},
      {R"({"apiVersion": "metal.sidero.dev/v1alpha1", "kind": "Server"})", "v3",
       "unknown target version v3"},
      {R"({"apiVersion": "metal.sidero.dev/v1alpha1", "kind": "Server"})", "other.io/v1alpha2",
       "not in group"},
      {R"({"apiVersion": "metal.sidero.dev/v1alpha1", "kind": "Widget"})", "v1alpha2",
       "kind Widget"},
      {R"({"apiVersion": "metal.sidero.dev/v1alpha1", "kind": "WidgetList"})", "v1alpha2",
       "kind WidgetList"},
      {R"({"apiVersion": "metal.sidero.dev/v1alpha1", "kind": "Server", "spec": {"cpu": "x"}})",
       "v1alpha2", "spec.cpu: must be an object"},
      {R"({"apiVersion": "metal.sidero.dev/v1alpha1", "kind": "Server", "spec": {"system": 1}})",
       "v1alpha2", "spec.system: must be an object"},
      {R"({"apiVersion": "metal.sidero.dev/v1alpha2", "kind": "Server", "spec": {"hardware": 1}})",
       "v1alpha1", "spec.hardware: must be an object"},
      {R"({"apiVersion": "metal.sidero.dev/v1alpha1", "kind": "ServerClass",
           "spec": {"qualifiers": {"cpu": {}}}})",
       "v1alpha2", "spec.qualifiers.cpu: must be a list"},
      {R"({"apiVersion": "metal.sidero.dev/v1alpha2", "kind": "ServerClass",
           "spec": {"qualifiers": {"hardware": {}}}})",
       "v1alpha1", "spec.qualifiers.hardware: must be a list"},
      {R"({"apiVersion": "metal.sidero.dev/v1alpha1", "kind": "ServerList",
           "items": [{"spec": {"cpu": 1}}]})",
       "v1alpha2", "items[0]: spec.cpu"},
  };
  for (const auto& c : cases) {
    auto out = convert(json::parse(c.obj), c.to);
    ASSERT_FALSE(out.has_value()) << c.obj;
    EXPECT_NE(out.error().find(c.want), std::string::npos) << out.error() << " / want " << c.want;
  }
}

}  // namespace
}  // namespace ferrum::model
