// Status -> kube::Error mapping and the is_* predicates, table-driven.
#include <gtest/gtest.h>

#include "ferrum/kube/error.hpp"

using namespace ferrum::kube;

TEST(KubeError, StatusBodyGivesReasonAndMessage) {
  auto e = error_from_response(404, R"({"kind":"Status","apiVersion":"v1","status":"Failure",
      "message":"secrets \"x\" not found","reason":"NotFound","details":{"name":"x","kind":"secrets"},"code":404})");
  EXPECT_EQ(e.code, 404);
  EXPECT_EQ(e.reason, "NotFound");
  EXPECT_EQ(e.message, "secrets \"x\" not found");
  EXPECT_TRUE(is_not_found(e));
  EXPECT_FALSE(is_conflict(e));
  EXPECT_EQ(e.describe(), "NotFound (404): secrets \"x\" not found");
}

TEST(KubeError, ConflictAndAlreadyExistsShareCode409ButNotPredicates) {
  auto conflict = error_from_response(
      409, R"({"kind":"Status","reason":"Conflict","message":"stale","code":409})");
  auto exists = error_from_response(
      409, R"({"kind":"Status","reason":"AlreadyExists","message":"dup","code":409})");
  EXPECT_TRUE(is_conflict(conflict));
  EXPECT_FALSE(is_already_exists(conflict));
  EXPECT_TRUE(is_already_exists(exists));
  EXPECT_FALSE(is_conflict(exists));
}

TEST(KubeError, GoneCoversExpiredAnd410) {
  EXPECT_TRUE(is_gone(error_from_response(
      410,
      R"j({"kind":"Status","reason":"Expired","message":"too old resource version: 1 (5)","code":410})j")));
  EXPECT_TRUE(is_gone(error_from_response(410, "")));
  EXPECT_TRUE(
      is_gone(error_from_status({{"kind", "Status"}, {"code", 410}, {"reason", "Gone"}}, 500)));
  EXPECT_FALSE(is_gone(error_from_response(404, "")));
}

TEST(KubeError, NonStatusBodyUsesCodeReasonAndBodyText) {
  auto e = error_from_response(503, "upstream unavailable\n");
  EXPECT_EQ(e.reason, "ServiceUnavailable");
  EXPECT_EQ(e.message, "upstream unavailable");
  EXPECT_TRUE(is_retryable(e));
  auto empty = error_from_response(422, "");
  EXPECT_EQ(empty.reason, "Invalid");
  EXPECT_EQ(empty.message, "HTTP 422");
  EXPECT_TRUE(is_invalid(empty));
}

TEST(KubeError, StatusWithoutReasonFallsBackToCode) {
  auto e = error_from_response(404, R"({"kind":"Status","message":"nope","code":404})");
  EXPECT_EQ(e.reason, "NotFound");
  EXPECT_TRUE(is_not_found(e));
}

TEST(KubeError, WatchErrorEventStatusUsesItsCode) {
  auto e = error_from_status(
      {{"kind", "Status"}, {"code", 410}, {"reason", "Expired"}, {"message", "m"}}, 500);
  EXPECT_EQ(e.code, 410);
  auto no_code = error_from_status({{"kind", "Status"}, {"message", "m"}}, 500);
  EXPECT_EQ(no_code.code, 500);
  EXPECT_EQ(no_code.reason, "InternalError");
}

TEST(KubeError, ClientSideErrors) {
  Error timeout{0, std::string(kReasonTimeout), "t"};
  Error cancelled{0, std::string(kReasonCancelled), "c"};
  Error bad{0, std::string(kReasonBadRequest), "b"};
  EXPECT_TRUE(is_transport(timeout));
  EXPECT_TRUE(is_retryable(timeout));
  EXPECT_FALSE(is_transport(cancelled));
  EXPECT_TRUE(is_cancelled(cancelled));
  EXPECT_FALSE(is_retryable(cancelled));
  EXPECT_FALSE(is_retryable(bad));
  EXPECT_FALSE(is_not_found(timeout));
}

TEST(KubeError, RetryableTable) {
  struct Row {
    int code;
    bool retryable;
  } rows[] = {{400, false}, {401, false}, {403, false}, {404, false}, {409, false}, {410, false},
              {422, false}, {429, true},  {500, true},  {502, true},  {503, true},  {504, true}};
  for (const auto& r : rows)
    EXPECT_EQ(is_retryable(error_from_response(r.code, "")), r.retryable) << r.code;
  EXPECT_TRUE(is_forbidden(error_from_response(403, "")));
  EXPECT_TRUE(is_unauthorized(error_from_response(401, "")));
  EXPECT_TRUE(is_too_many_requests(error_from_response(429, "")));
}
