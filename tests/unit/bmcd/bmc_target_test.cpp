#include "bmc_target.hpp"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

namespace ferrum::bmcd {
namespace {

using nlohmann::json;

model::Server server_with(json spec) {
  return model::Server(json{{"apiVersion", "metal.sidero.dev/v1alpha2"},
                            {"kind", "Server"},
                            {"metadata", {{"name", "uuid-1"}}},
                            {"spec", std::move(spec)}});
}

// Secrets of the table: "ns/name/key" -> value.
SecretLookup lookup(std::map<std::string, std::string> values) {
  return [values](const SecretRef& r) -> Expected<std::string, TargetError> {
    auto it = values.find(r.namespace_ + "/" + r.name + "/" + r.key);
    if (it == values.end()) {
      return unexpected(
          TargetError{grpc::StatusCode::FAILED_PRECONDITION,
                      "secret " + r.namespace_ + "/" + r.name + " has no key " + r.key});
    }
    return it->second;
  };
}

TEST(ResolveTarget, InlineBmcWithDefaults) {
  auto t = resolve_target(
      server_with({{"bmc", {{"endpoint", "10.0.0.5"}, {"user", "admin"}, {"pass", "pw"}}}}),
      lookup({}));
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->backend, Backend::kIpmi);
  EXPECT_EQ(t->host, "10.0.0.5");
  EXPECT_EQ(t->port, 623);
  EXPECT_EQ(t->interface, IpmiInterface::kLanplus);
  EXPECT_EQ(t->user, "admin");
  EXPECT_EQ(t->pass, "pw");
  EXPECT_EQ(t->key(), "ipmi 10.0.0.5:623");
  EXPECT_EQ(t->endpoint().find("pw"), std::string::npos);
}

TEST(ResolveTarget, PortAndLanInterface) {
  auto t = resolve_target(
      server_with(
          {{"bmc",
            {{"endpoint", "bmc.example"}, {"port", 9001}, {"interface", "lan"}, {"user", "u"}}}}),
      lookup({}));
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->port, 9001);
  EXPECT_EQ(t->interface, IpmiInterface::kLan);
  EXPECT_EQ(t->key(), "ipmi bmc.example:9001");
}

TEST(ResolveTarget, CredentialsFromSecrets) {
  json bmc = {
      {"endpoint", "10.0.0.5"},
      {"userFrom", {{"secretKeyRef", {{"namespace", "metal"}, {"name", "bmc"}, {"key", "user"}}}}},
      {"passFrom", {{"secretKeyRef", {{"name", "bmc-pass"}, {"key", "password"}}}}}};
  auto t =
      resolve_target(server_with({{"bmc", bmc}}),
                     lookup({{"metal/bmc/user", "root"}, {"default/bmc-pass/password", "s3cret"}}));
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->user, "root");
  EXPECT_EQ(t->pass, "s3cret");
}

TEST(ResolveTarget, SecretProblemsNameTheField) {
  json bmc = {{"endpoint", "10.0.0.5"},
              {"user", "admin"},
              {"passFrom", {{"secretKeyRef", {{"name", "bmc"}, {"key", "nope"}}}}}};
  auto t = resolve_target(server_with({{"bmc", bmc}}), lookup({}));
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(t.error().message.rfind("spec.bmc.passFrom.secretKeyRef: ", 0), 0u)
      << t.error().message;
}

TEST(ResolveTarget, LookupErrorCodeIsKept) {
  json bmc = {{"endpoint", "h"}, {"userFrom", {{"secretKeyRef", {{"name", "s"}, {"key", "k"}}}}}};
  SecretLookup down = [](const SecretRef&) -> Expected<std::string, TargetError> {
    return unexpected(TargetError{grpc::StatusCode::UNAVAILABLE, "api server down"});
  };
  auto t = resolve_target(server_with({{"bmc", bmc}}), down);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, grpc::StatusCode::UNAVAILABLE);
}

TEST(ResolveTarget, BmcWinsOverManagementApi) {
  auto t = resolve_target(server_with({{"bmc", {{"endpoint", "10.0.0.5"}}},
                                       {"managementApi", {{"endpoint", "http://x:1"}}}}),
                          lookup({}));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->backend, Backend::kIpmi);
}

struct ApiCase {
  std::string endpoint;
  std::string base;  // empty: rejected
};

TEST(ResolveTarget, ManagementApiEndpoints) {
  std::vector<ApiCase> cases = {
      {"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
      {"127.0.0.1:8080", "http://127.0.0.1:8080"},
      {"http://vm-host:8080/machines/a/", "http://vm-host:8080/machines/a"},
      {"https://h", "https://h"},
      {"ftp://h/x", ""},
  };
  for (const auto& c : cases) {
    auto t =
        resolve_target(server_with({{"managementApi", {{"endpoint", c.endpoint}}}}), lookup({}));
    if (c.base.empty()) {
      ASSERT_FALSE(t) << c.endpoint;
      EXPECT_NE(t.error().message.find("spec.managementApi.endpoint"), std::string::npos);
      continue;
    }
    ASSERT_TRUE(t) << c.endpoint << ": " << t.error().message;
    EXPECT_EQ(t->backend, Backend::kApi);
    EXPECT_EQ(t->api_base, c.base) << c.endpoint;
    EXPECT_EQ(t->key(), "api " + c.base);
  }
}

struct BadCase {
  json spec;
  std::string want;  // substring of the message
};

TEST(ResolveTarget, RejectsWithFieldNames) {
  std::vector<BadCase> cases = {
      {json::object(), "server has no BMC"},
      {{{"managementApi", {{"endpoint", ""}}}}, "server has no BMC"},
      {{{"bmc", {{"endpoint", ""}}}}, "spec.bmc.endpoint"},
      {{{"bmc", {{"endpoint", "h"}, {"port", 70000}}}}, "spec.bmc.port"},
      {{{"bmc", {{"endpoint", "h"}, {"interface", "redfish"}}}}, "spec.bmc.interface"},
      {{{"bmc", {{"endpoint", "h"}, {"user", "a-user-name-longer-than-16"}}}}, "spec.bmc.user"},
      {{{"bmc", {{"endpoint", "h"}, {"pass", "a-password-longer-than-twenty"}}}}, "spec.bmc.pass"},
      {{{"bmc",
         {{"endpoint", "h"}, {"passFrom", {{"secretKeyRef", {{"name", ""}, {"key", "k"}}}}}}}},
       "spec.bmc.passFrom.secretKeyRef.name"},
  };
  for (const auto& c : cases) {
    auto t = resolve_target(server_with(c.spec), lookup({}));
    ASSERT_FALSE(t) << c.spec.dump();
    EXPECT_EQ(t.error().code, grpc::StatusCode::FAILED_PRECONDITION) << c.spec.dump();
    EXPECT_NE(t.error().message.find(c.want), std::string::npos)
        << c.spec.dump() << " -> " << t.error().message;
  }
}

}  // namespace
}  // namespace ferrum::bmcd
