#include "ferrum/json_text.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace ferrum::json_text {
namespace {

using json = nlohmann::json;
using testing::HasSubstr;

std::string nested_arrays(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

json nested_tree(std::size_t depth) {
  json v = 1;
  for (std::size_t i = 0; i < depth; ++i) v = json::array({std::move(v)});
  return v;
}

TEST(JsonText, Utf8Validity) {
  struct Case {
    std::string text;
    std::optional<std::size_t> bad_at;
  };
  const Case cases[] = {
      {"", std::nullopt},
      {"plain ascii", std::nullopt},
      {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", std::nullopt},  // é € 😀
      {"ab\xFF"
       "cd",
       2},                      // never valid
      {"\xC0\xAF", 0},          // overlong '/'
      {"\xE0\x80\xAF", 0},      // overlong, 3 bytes
      {"\xED\xA0\x80", 0},      // surrogate U+D800
      {"\xF4\x90\x80\x80", 0},  // above U+10FFFF
      {"ok\xC3", 2},            // truncated sequence
      {"x\xE2\x82y", 1},        // bad continuation
      {"\x80", 0},              // lone continuation
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(testing::PrintToString(c.text));
    EXPECT_EQ(invalid_utf8_at(c.text), c.bad_at);
    std::string fixed = valid_utf8(c.text);
    EXPECT_FALSE(invalid_utf8_at(fixed));
    if (!c.bad_at) {
      EXPECT_EQ(fixed, c.text);
    }
  }
  EXPECT_EQ(valid_utf8("ab\xFF"
                       "cd"),
            "ab\xEF\xBF\xBD"
            "cd");
}

// The defect: nlohmann's default dump throws type_error.316 on invalid UTF-8, and the API
// server dumped error messages that quote client bytes with it.
TEST(JsonText, DumpReplacesInvalidUtf8InsteadOfThrowing) {
  json status = {{"message",
                  "servers \"ab\xFF"
                  "cd\" not found"}};
  EXPECT_THROW((void)status.dump(), json::type_error);
  std::string text;
  ASSERT_NO_THROW(text = dump(status));
  EXPECT_EQ(text,
            "{\"message\":\"servers \\\"ab\xEF\xBF\xBD"
            "cd\\\" not found\"}");
  EXPECT_FALSE(invalid_utf8_at(text));
}

TEST(JsonText, TooDeepAtSkipsStrings) {
  EXPECT_EQ(too_deep_at("[[1]]", 2), std::nullopt);
  EXPECT_EQ(too_deep_at("[[[1]]]", 2), 2u);
  EXPECT_EQ(too_deep_at(R"({"a":{"b":[]}})", 2), 10u);
  // Brackets inside strings, escaped quotes included, do not count.
  EXPECT_EQ(too_deep_at(R"(["[[[[", "\"[[[[", {}])", 2), std::nullopt);
  EXPECT_EQ(too_deep_at(R"(["\\", [[]]])", 2), 8u);
  EXPECT_EQ(too_deep_at("[]" + nested_arrays(kMaxNestingDepth)), std::nullopt);
  EXPECT_EQ(too_deep_at(nested_arrays(kMaxNestingDepth + 1)), kMaxNestingDepth);
}

TEST(JsonText, DepthOfTreesWithoutRecursion) {
  EXPECT_EQ(depth(json(1)), 0u);
  EXPECT_EQ(depth(json::array()), 1u);
  EXPECT_EQ(depth(json::parse(R"({"a":[1,{"b":{}}],"c":2})")), 4u);
  EXPECT_FALSE(deeper_than(nested_tree(kMaxNestingDepth)));
  EXPECT_TRUE(deeper_than(nested_tree(kMaxNestingDepth + 1)));
  // Counting stops past the limit.
  EXPECT_EQ(depth(nested_tree(100), 10), 11u);
}

// Kubernetes' limit: k8s.io/apimachinery/pkg/util/json/json.go maxDepth = 10000.
TEST(JsonText, ParseRefusesNestingBeyondKubernetesLimitBeforeBuildingATree) {
  auto at_limit = parse(nested_arrays(kMaxNestingDepth));
  ASSERT_TRUE(at_limit) << at_limit.error();
  EXPECT_EQ(depth(*at_limit), kMaxNestingDepth);

  for (std::size_t d : {kMaxNestingDepth + 1, std::size_t{100'000}}) {
    auto deep = parse(nested_arrays(d));
    ASSERT_FALSE(deep);
    EXPECT_EQ(deep.error(), "exceeded max depth of 10000 at byte 10000");
  }
  auto objects = parse(std::string(20'000, '{'));
  ASSERT_FALSE(objects);
  EXPECT_THAT(objects.error(), HasSubstr("exceeded max depth of 10000"));
}

TEST(JsonText, ParseErrorsAreValidUtf8) {
  auto in_string = parse("{\"a\":\"x\xFFy\"}");
  ASSERT_FALSE(in_string);
  EXPECT_EQ(in_string.error(), "invalid UTF-8 at byte 7");

  auto syntax = parse("{\"a\": tru}");
  ASSERT_FALSE(syntax);
  EXPECT_THAT(syntax.error(), HasSubstr("syntax error"));
  EXPECT_FALSE(invalid_utf8_at(syntax.error()));

  auto ok = parse(R"({"name":"caf\u00e9","n":[1,2]})");
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ((*ok)["name"], "caf\xC3\xA9");
}

}  // namespace
}  // namespace ferrum::json_text
