#include <gtest/gtest.h>

#include "api_driver.hpp"
#include "settings.hpp"

namespace ferrum::bmcd {
namespace {

TEST(ParseApiStatus, Table) {
  struct Case {
    std::string body;
    std::optional<bool> want;  // nullopt: rejected
  };
  std::vector<Case> cases = {
      {R"({"PoweredOn": true})", true},
      {R"({"PoweredOn": false, "Other": 1})", false},
      {R"({"poweredOn": true})", std::nullopt},
      {R"({"PoweredOn": "true"})", std::nullopt},
      {R"([true])", std::nullopt},
      {"", std::nullopt},
      {"<html>", std::nullopt},
  };
  for (const auto& c : cases) {
    auto r = parse_api_status(c.body);
    if (!c.want) {
      EXPECT_FALSE(r) << c.body;
    } else {
      ASSERT_TRUE(r) << c.body << ": " << r.error();
      EXPECT_EQ(*r, *c.want) << c.body;
    }
  }
}

TEST(Settings, DefaultsAndValidation) {
  Settings s;
  flags::FlagSet f("ferrum-bmcd", "test");
  add_flags(f, s);
  auto none = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  ASSERT_EQ(f.parse(std::vector<std::string>{}, none).outcome, flags::Outcome::kRun);
  EXPECT_EQ(s.listen, "0.0.0.0:50120");
  EXPECT_EQ(validate(s), "");
  auto env = [](const std::string& k) -> std::optional<std::string> {
    if (k == "FERRUM_MAX_CONCURRENT_BMCS") return "7";
    return std::nullopt;
  };
  ASSERT_EQ(f.parse(std::vector<std::string>{"--ipmi-timeout=50ms"}, env).outcome,
            flags::Outcome::kRun);
  EXPECT_EQ(s.max_concurrent_bmcs, 7);
  EXPECT_NE(validate(s).find("--ipmi-timeout"), std::string::npos);
  auto bad = f.parse(std::vector<std::string>{"--max-concurrent-bmcs=0"}, none);
  EXPECT_EQ(bad.outcome, flags::Outcome::kError);
  EXPECT_NE(bad.message.find("max-concurrent-bmcs"), std::string::npos);
  s.ipmi_timeout = std::chrono::milliseconds(5000);
  s.listen = "nonsense";
  EXPECT_NE(validate(s).find("--listen"), std::string::npos);
}

}  // namespace
}  // namespace ferrum::bmcd
