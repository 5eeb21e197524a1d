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

}  // namespace
}  // namespace ferrum
