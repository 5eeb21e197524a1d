#include "asset_status.hpp"

#include <gtest/gtest.h>

namespace ferrum::ipxe {
namespace {

AssetState ready(const std::string& url, const std::string& sha = "") {
  AssetState s;
  s.url = url;
  s.spec_sha512 = sha;
  s.ready = true;
  return s;
}

AssetState failed(const std::string& url, const std::string& reason, const std::string& msg) {
  AssetState s;
  s.url = url;
  s.reason = reason;
  s.message = msg;
  return s;
}

TEST(AssetStatus, DesiredConditionsOnePerUrlWithReasonWhenFalse) {
  auto d =
      desired_conditions({ready("http://a/k", "abc"),
                          failed("http://a/i", "HTTPError", "GET http://a/i answered HTTP 404")});
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0],
            (nlohmann::json{
                {"url", "http://a/k"}, {"sha512", "abc"}, {"status", "True"}, {"type", "Ready"}}));
  EXPECT_EQ(d[1]["status"], "False");
  EXPECT_EQ(d[1]["reason"], "HTTPError");
  EXPECT_EQ(d[1]["message"], "GET http://a/i answered HTTP 404");
  EXPECT_FALSE(d[1].contains("sha512"));
}

TEST(AssetStatus, ApplyReplacesStaleUrlsKeepsUnknownKeysAndReportsChange) {
  nlohmann::json env = {{"metadata", {{"name", "e"}}},
                        {"status",
                         {{"conditions",
                           {{{"url", "http://a/k"},
                             {"status", "False"},
                             {"type", "Ready"},
                             {"reason", "Timeout"},
                             {"x-extra", 1}},
                            {{"url", "http://old/i"}, {"status", "True"}, {"type", "Ready"}}}}}}};
  auto desired = desired_conditions({ready("http://a/k"), ready("http://a/i")});
  EXPECT_TRUE(apply_conditions(env, desired));
  auto& c = env["status"]["conditions"];
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0]["status"], "True");
  EXPECT_FALSE(c[0].contains("reason"));
  EXPECT_EQ(c[0]["x-extra"], 1);
  EXPECT_EQ(c[1]["url"], "http://a/i");
  EXPECT_FALSE(apply_conditions(env, desired));
}

TEST(AssetStatus, ApplyOnAnObjectWithoutStatus) {
  nlohmann::json env = {{"metadata", {{"name", "e"}}}};
  EXPECT_TRUE(apply_conditions(env, desired_conditions({failed("u", "ChecksumMismatch", "m")})));
  EXPECT_EQ(env["status"]["conditions"][0]["reason"], "ChecksumMismatch");
}

}  // namespace
}  // namespace ferrum::ipxe
