#include "ferrum/grpc_code.hpp"

#include <grpcpp/support/status_code_enum.h>
#include <gtest/gtest.h>

// The table must agree with gRPC's own enum, code by code.
TEST(GrpcCode, NamesMatchGrpcEnum) {
  EXPECT_EQ(ferrum::grpc_code_name(grpc::StatusCode::OK), "OK");
  EXPECT_EQ(ferrum::grpc_code_name(grpc::StatusCode::DEADLINE_EXCEEDED), "DEADLINE_EXCEEDED");
  EXPECT_EQ(ferrum::grpc_code_name(grpc::StatusCode::RESOURCE_EXHAUSTED), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(ferrum::grpc_code_name(grpc::StatusCode::FAILED_PRECONDITION), "FAILED_PRECONDITION");
  EXPECT_EQ(ferrum::grpc_code_name(grpc::StatusCode::UNAVAILABLE), "UNAVAILABLE");
  EXPECT_EQ(ferrum::grpc_code_name(grpc::StatusCode::UNAUTHENTICATED), "UNAUTHENTICATED");
  EXPECT_EQ(ferrum::grpc_code_name(-1), "UNKNOWN_CODE");
  EXPECT_EQ(ferrum::grpc_code_name(17), "UNKNOWN_CODE");
}
