#include "ferrum/grpc_code.hpp"

#include <array>

namespace ferrum {

std::string_view grpc_code_name(int code) {
  // Indexed by the code numbers of grpc/status.h (and every gRPC implementation).
  static constexpr std::array<std::string_view, 17> kNames = {"OK",
                                                              "CANCELLED",
                                                              "UNKNOWN",
                                                              "INVALID_ARGUMENT",
                                                              "DEADLINE_EXCEEDED",
                                                              "NOT_FOUND",
                                                              "ALREADY_EXISTS",
                                                              "PERMISSION_DENIED",
                                                              "RESOURCE_EXHAUSTED",
                                                              "FAILED_PRECONDITION",
                                                              "ABORTED",
                                                              "OUT_OF_RANGE",
                                                              "UNIMPLEMENTED",
                                                              "INTERNAL",
                                                              "UNAVAILABLE",
                                                              "DATA_LOSS",
                                                              "UNAUTHENTICATED"};
  if (code < 0 || static_cast<std::size_t>(code) >= kNames.size()) return "UNKNOWN_CODE";
  return kNames[static_cast<std::size_t>(code)];
}

}  // namespace ferrum
