#include "bmc_error.hpp"

#include <gtest/gtest.h>

namespace ferrum::bmcd {
namespace {

using std::chrono::milliseconds;

TEST(BmcError, OnlyTimeoutsAreRetried) {
  EXPECT_TRUE(is_retryable(BmcErrorKind::kTimeout));
  for (auto k : {BmcErrorKind::kUnreachable, BmcErrorKind::kAuth, BmcErrorKind::kBmcError,
                 BmcErrorKind::kProtocol, BmcErrorKind::kInternal}) {
    EXPECT_FALSE(is_retryable(k)) << kind_name(k);
  }
}

TEST(BmcError, StatusCodes) {
  struct Case {
    BmcErrorKind kind;
    grpc::StatusCode code;
  };
  for (auto c : {Case{BmcErrorKind::kTimeout, grpc::StatusCode::UNAVAILABLE},
                 Case{BmcErrorKind::kUnreachable, grpc::StatusCode::UNAVAILABLE},
                 Case{BmcErrorKind::kAuth, grpc::StatusCode::UNAUTHENTICATED},
                 Case{BmcErrorKind::kBmcError, grpc::StatusCode::INTERNAL},
                 Case{BmcErrorKind::kProtocol, grpc::StatusCode::INTERNAL},
                 Case{BmcErrorKind::kInternal, grpc::StatusCode::INTERNAL}}) {
    EXPECT_EQ(status_code_for(c.kind), c.code) << kind_name(c.kind);
  }
}

TEST(BmcError, BackoffDoublesUpToTheCap) {
  struct Case {
    int attempt;
    milliseconds want;
  };
  for (auto c :
       {Case{0, milliseconds(0)}, Case{1, milliseconds(100)}, Case{2, milliseconds(200)},
        Case{3, milliseconds(400)}, Case{4, milliseconds(500)}, Case{30, milliseconds(500)}}) {
    EXPECT_EQ(backoff_delay(c.attempt, milliseconds(100), milliseconds(500)), c.want) << c.attempt;
  }
}

}  // namespace
}  // namespace ferrum::bmcd
