#pragma once
// The canonical names of gRPC status codes ("DEADLINE_EXCEEDED"), for metrics labels, logs
// and test output. Takes the numeric code so libs/common needs no gRPC dependency:
// grpc_code_name(static_cast<int>(status.error_code())).

#include <string_view>

namespace ferrum {

// "UNKNOWN_CODE" for a number outside 0..16.
std::string_view grpc_code_name(int code);

}  // namespace ferrum
