#include "ferrum/percent_encoding.hpp"

#include <gtest/gtest.h>

namespace ferrum {
namespace {

TEST(HexDigitValue, AllDigitsBothCasesAndNothingElse) {
  EXPECT_EQ(hex_digit_value('0'), 0);
  EXPECT_EQ(hex_digit_value('9'), 9);
  EXPECT_EQ(hex_digit_value('a'), 10);
  EXPECT_EQ(hex_digit_value('F'), 15);
  for (char c : {'g', 'G', '/', ':', '@', '`', ' ', '\0'}) {
    EXPECT_EQ(hex_digit_value(c), -1) << "char " << static_cast<int>(c);
  }
}

TEST(PercentDecode, Table) {
  struct Case {
    const char* in;
    std::optional<std::string> want;
  };
  const Case cases[] = {
      {"", ""},
      {"plain", "plain"},
      {"a%2Fb+c", "a/b c"},
      {"%41%62", "Ab"},
      {"%e2%9c%93", "\xe2\x9c\x93"},
      {"%2B", "+"},
      {"%4", std::nullopt},
      {"%", std::nullopt},
      {"x%zz", std::nullopt},
      {"%4g", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(percent_decode(c.in), c.want) << c.in;
}

TEST(PercentEncoding, Utf8Table) {
  struct Case {
    std::string in;
    bool valid;
  };
  const Case cases[] = {
      {"", true},
      {"ascii 123", true},
      {"\xc3\xa9", true},          // U+00E9
      {"\xe2\x9c\x93", true},      // U+2713
      {"\xf0\x9f\x98\x80", true},  // U+1F600
      {"\xf4\x8f\xbf\xbf", true},  // U+10FFFF
      {"\xff", false},
      {"\x80", false},                 // a continuation byte first
      {"\xc3", false},                 // truncated
      {"\xe2\x9c", false},             // truncated
      {"\xc0\xaf", false},             // overlong '/'
      {"\xe0\x80\xaf", false},         // overlong '/'
      {"\xed\xa0\x80", false},         // U+D800, a surrogate
      {"\xf4\x90\x80\x80", false},     // above U+10FFFF
      {"\xc3\x28", false},             // bad continuation
      {std::string("a\0b", 3), true},  // NUL is UTF-8 (other checks refuse it)
  };
  for (const auto& c : cases) EXPECT_EQ(is_valid_utf8(c.in), c.valid) << c.in;
}

}  // namespace
}  // namespace ferrum
