// Strategic merge on the built-in kinds' shapes, case by case, after
// k8s.io/apimachinery/pkg/util/strategicpatch/patch_test.go.

#include "strategic_merge.hpp"

#include <gtest/gtest.h>

namespace ferrum::apiserver {
namespace {

using json = nlohmann::json;

json apply(const json& original, const json& patch, const std::string& kind = "ConfigMap") {
  auto r = apply_strategic_merge_patch(original, patch, builtin_patch_schema(kind));
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : json();
}

int error_code(const json& original, const json& patch, const std::string& kind = "ConfigMap") {
  auto r = apply_strategic_merge_patch(original, patch, builtin_patch_schema(kind));
  return r ? 0 : r.error().code;
}

TEST(StrategicMerge, MapsMergeAndNullDeletes) {
  EXPECT_EQ(apply({{"data", {{"a", "1"}, {"b", "2"}}}}, {{"data", {{"b", nullptr}, {"c", "3"}}}}),
            json({{"data", {{"a", "1"}, {"c", "3"}}}}));
}

TEST(StrategicMerge, ListsWithoutAStrategyAreReplaced) {
  EXPECT_EQ(apply({{"spec", {{"finalizers", {"kubernetes", "x"}}}}},
                  {{"spec", {{"finalizers", {"y"}}}}}, "Namespace"),
            json({{"spec", {{"finalizers", {"y"}}}}}));
}

TEST(StrategicMerge, FinalizersMergeAsASet) {
  json md = {{"metadata", {{"finalizers", {"a", "b"}}}}};
  EXPECT_EQ(apply(md, {{"metadata", {{"finalizers", {"b", "c"}}}}}),
            json({{"metadata", {{"finalizers", {"a", "b", "c"}}}}}));
  EXPECT_EQ(apply(md, {{"metadata", {{"$deleteFromPrimitiveList/finalizers", {"a"}}}}}),
            json({{"metadata", {{"finalizers", {"b"}}}}}));
  EXPECT_EQ(apply(md, {{"metadata", {{"finalizers", {{{"$patch", "replace"}}, "z"}}}}}),
            json({{"metadata", {{"finalizers", {"z"}}}}}));
}

TEST(StrategicMerge, OwnerReferencesMergeOnUid) {
  json md = {
      {"metadata",
       {{"ownerReferences", {{{"uid", "1"}, {"name", "a"}}, {{"uid", "2"}, {"name", "b"}}}}}}};
  EXPECT_EQ(apply(md, {{"metadata",
                        {{"ownerReferences",
                          {{{"uid", "2"}, {"name", "B"}}, {{"uid", "3"}, {"name", "c"}}}}}}}),
            json({{"metadata",
                   {{"ownerReferences",
                     {{{"uid", "1"}, {"name", "a"}},
                      {{"uid", "2"}, {"name", "B"}},
                      {{"uid", "3"}, {"name", "c"}}}}}}}));
  EXPECT_EQ(
      apply(md, {{"metadata", {{"ownerReferences", {{{"uid", "1"}, {"$patch", "delete"}}}}}}}),
      json({{"metadata", {{"ownerReferences", {{{"uid", "2"}, {"name", "b"}}}}}}}));
  EXPECT_EQ(error_code(md, {{"metadata", {{"ownerReferences", {{{"name", "no uid"}}}}}}}), 400);
}

TEST(StrategicMerge, NodeConditionsMergeOnType) {
  json node = {{"status",
                {{"conditions",
                  {{{"type", "Ready"}, {"status", "False"}},
                   {{"type", "DiskPressure"}, {"status", "False"}}}}}}};
  json out = apply(node, {{"status", {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}},
                   "Node");
  EXPECT_EQ(out["status"]["conditions"][0], json({{"type", "Ready"}, {"status", "True"}}));
  EXPECT_EQ(out["status"]["conditions"].size(), 2u);
}

TEST(StrategicMerge, SetElementOrderOrdersWithoutStoringItself) {
  json md = {{"metadata", {{"finalizers", {"a", "b"}}}}};
  EXPECT_EQ(
      apply(md, {{"metadata",
                  {{"$setElementOrder/finalizers", {"b", "c", "a"}}, {"finalizers", {"c"}}}}}),
      json({{"metadata", {{"finalizers", {"b", "c", "a"}}}}}));
}

TEST(StrategicMerge, PatchDirectivesOnMaps) {
  json cm = {{"data", {{"a", "1"}}}, {"binaryData", {{"b", "Ag=="}}}};
  EXPECT_EQ(apply(cm, {{"data", {{"$patch", "replace"}, {"x", "9"}}}}),
            json({{"data", {{"x", "9"}}}, {"binaryData", {{"b", "Ag=="}}}}));
  EXPECT_EQ(apply(cm, {{"binaryData", {{"$patch", "delete"}}}}), json({{"data", {{"a", "1"}}}}));
  EXPECT_EQ(apply(cm, {{"$patch", "delete"}}), json::object());
  EXPECT_EQ(apply(cm, {{"data", {{"$patch", "merge"}, {"y", "2"}}}}),
            json({{"data", {{"a", "1"}, {"y", "2"}}}, {"binaryData", {{"b", "Ag=="}}}}));
}

TEST(StrategicMerge, RetainKeys) {
  json spec = {{"spec", {{"a", 1}, {"b", 2}, {"c", 3}}}};
  EXPECT_EQ(apply(spec, {{"spec", {{"$retainKeys", {"a", "d"}}, {"d", 4}}}}),
            json({{"spec", {{"a", 1}, {"d", 4}}}}));
  EXPECT_EQ(error_code(spec, {{"spec", {{"$retainKeys", {"a"}}, {"d", 4}}}}), 422);
  EXPECT_EQ(error_code(spec, {{"spec", {{"$retainKeys", "a"}}}}), 400);
}

TEST(StrategicMerge, MalformedDirectivesAreBadRequests) {
  EXPECT_EQ(error_code({}, {{"data", {{"$patch", "explode"}}}}), 400);
  EXPECT_EQ(error_code({}, {{"metadata", {{"$deleteFromPrimitiveList/finalizers", "a"}}}}), 400);
  EXPECT_EQ(error_code({}, {{"metadata", {{"$setElementOrder/finalizers", 1}}}}), 400);
  EXPECT_EQ(error_code({}, {{"$unknown", 1}}), 400);
  EXPECT_EQ(error_code({}, json::array()), 400);
}

}  // namespace
}  // namespace ferrum::apiserver
