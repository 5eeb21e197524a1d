#include "field_selector.hpp"

#include <gtest/gtest.h>

namespace ferrum::apiserver {
namespace {

TEST(FieldSelector, ParsesTermsAndSupportedFields) {
  auto fs =
      parse_field_selector("metadata.name=a,,type!=Opaque,metadata.namespace==ns", "", "secrets");
  ASSERT_TRUE(fs) << fs.error();
  ASSERT_EQ(fs->size(), 3u);
  EXPECT_EQ((*fs)[0].field, "metadata.name");
  EXPECT_EQ((*fs)[1].value, "Opaque");
  EXPECT_TRUE((*fs)[1].negate);
  EXPECT_EQ((*fs)[2].value, "ns");
  EXPECT_TRUE(parse_field_selector("", "", "configmaps")->empty());
}

TEST(FieldSelector, ErrorsNameTheTermOrField) {
  auto bad = parse_field_selector("metadata.name", "", "secrets");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("\"metadata.name\""), std::string::npos) << bad.error();
  // `type` is a Secret field, not a Server one; `reason` an Event one.
  auto unsupported = parse_field_selector("type=x", "metal.sidero.dev", "servers");
  ASSERT_FALSE(unsupported);
  EXPECT_EQ(unsupported.error(), "field label not supported: type");
  EXPECT_TRUE(parse_field_selector("reason=Failed", "", "events"));
}

TEST(FieldSelector, Matches) {
  nlohmann::json obj = {{"metadata", {{"name", "a"}, {"namespace", "ns"}}}, {"count", 3}};
  auto fs = parse_field_selector("metadata.name=a,metadata.namespace!=other", "", "x");
  ASSERT_TRUE(fs);
  EXPECT_TRUE(fields_match(*fs, obj));
  EXPECT_FALSE(fields_match(*parse_field_selector("metadata.name!=a", "", "x"), obj));
  EXPECT_EQ(field_value(obj, "count"), "3");
  EXPECT_EQ(field_value(obj, "metadata.missing"), "");
  // A value with invalid UTF-8 compares, it does not throw.
  nlohmann::json odd = {{"metadata", {{"name", nlohmann::json::array({std::string("\xff")})}}}};
  EXPECT_NO_THROW(field_value(odd, "metadata.name"));
}

}  // namespace
}  // namespace ferrum::apiserver
