#include "asset_status.hpp"

#include <gtest/gtest.h>

#include "ferrum/model/environment.hpp"

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

nlohmann::json env_with_args(std::vector<std::string> args) {
  auto e = model::Environment::make("e");
  e.set_kernel({"http://x/k", "", std::move(args)});
  return e.raw();
}

// The TalosKernelArgs condition (Talos pkg/kernel/kspp/kspp.go; Sidero-era siderolink.api).
TEST(AssetStatus, KernelArgsConditionTable) {
  DecisionSettings st;
  st.metadata_endpoint = "10.0.0.1:9091";
  st.link_api_endpoint = "10.0.0.1:50110";
  st.sidero_api_host = "10.0.0.1";
  struct Case {
    std::vector<std::string> args;
    const char* status;  // nullptr: no condition
    const char* reason;
    std::vector<const char*> message_has;
  };
  const Case cases[] = {
      {{"slab_nomerge=", "pti=on"}, nullptr, nullptr, {}},
      {{"slab_nomerge", "pti=on", "talos.platform=metal"}, nullptr, nullptr, {}},
      {{"console=ttyS0", "talos.platform=metal"},
       "False",
       "KSPPRequirementsNotMet",
       {"KSPP kernel parameter slab_nomerge is required", "KSPP kernel parameter pti is required"}},
      {{"slab_nomerge", "pti=off"},
       "False",
       "KSPPRequirementsNotMet",
       {"pti was found with value off, expected on"}},
      {{"slab_nomerge", "pti=on", "siderolink.api=10.0.0.1:8081"},
       "True",
       "SideroLinkAPIRewritten",
       {"siderolink.api=10.0.0.1:8081 -> siderolink.api=10.0.0.1:50110"}},
      {{"siderolink.api=10.0.0.1:8081"},
       "False",
       "KSPPRequirementsNotMet",
       {"slab_nomerge is required", "-> siderolink.api=10.0.0.1:50110"}},
  };
  for (const auto& c : cases) {
    auto cond = kernel_args_condition(env_with_args(c.args), st);
    if (c.status == nullptr) {
      EXPECT_TRUE(cond.is_null()) << cond.dump();
      continue;
    }
    ASSERT_TRUE(cond.is_object());
    EXPECT_EQ(cond["type"], "TalosKernelArgs");
    EXPECT_EQ(cond["status"], c.status);
    EXPECT_EQ(cond["reason"], c.reason);
    for (const char* m : c.message_has) {
      EXPECT_NE(cond["message"].get<std::string>().find(m), std::string::npos) << cond.dump();
    }
  }
}

TEST(AssetStatus, KernelArgsConditionIsAddedThenClearedWhenFixed) {
  DecisionSettings st;
  nlohmann::json env = env_with_args({"console=ttyS0"});
  auto bad = kernel_args_condition(env, st);
  EXPECT_TRUE(apply_conditions(env, desired_conditions({ready("http://x/k")}, bad)));
  auto& c = env["status"]["conditions"];
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0]["type"], "Ready");
  EXPECT_EQ(c[1]["type"], "TalosKernelArgs");
  EXPECT_EQ(c[1]["status"], "False");
  EXPECT_FALSE(apply_conditions(env, desired_conditions({ready("http://x/k")}, bad)));
  env["spec"]["kernel"]["args"] = {"slab_nomerge", "pti=on"};
  auto good = kernel_args_condition(env, st);
  EXPECT_TRUE(good.is_null());
  EXPECT_TRUE(apply_conditions(env, desired_conditions({ready("http://x/k")}, good)));
  ASSERT_EQ(env["status"]["conditions"].size(), 1u);
  EXPECT_EQ(env["status"]["conditions"][0]["type"], "Ready");
}

}  // namespace
}  // namespace ferrum::ipxe
