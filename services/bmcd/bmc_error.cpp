#include "bmc_error.hpp"

#include <algorithm>

namespace ferrum::bmcd {

std::string_view kind_name(BmcErrorKind k) {
  switch (k) {
    case BmcErrorKind::kTimeout:
      return "timeout";
    case BmcErrorKind::kUnreachable:
      return "unreachable";
    case BmcErrorKind::kAuth:
      return "auth";
    case BmcErrorKind::kBmcError:
      return "bmc_error";
    case BmcErrorKind::kProtocol:
      return "protocol";
    case BmcErrorKind::kInternal:
      return "internal";
  }
  return "internal";
}

bool is_retryable(BmcErrorKind k) { return k == BmcErrorKind::kTimeout; }

grpc::StatusCode status_code_for(BmcErrorKind k) {
  switch (k) {
    case BmcErrorKind::kTimeout:
    case BmcErrorKind::kUnreachable:
      return grpc::StatusCode::UNAVAILABLE;
    case BmcErrorKind::kAuth:
      return grpc::StatusCode::UNAUTHENTICATED;
    case BmcErrorKind::kBmcError:
    case BmcErrorKind::kProtocol:
    case BmcErrorKind::kInternal:
      return grpc::StatusCode::INTERNAL;
  }
  return grpc::StatusCode::INTERNAL;
}

std::chrono::milliseconds backoff_delay(int attempt, std::chrono::milliseconds base,
                                        std::chrono::milliseconds cap) {
  if (attempt < 1) return std::chrono::milliseconds(0);
  std::chrono::milliseconds d = base;
  for (int i = 1; i < attempt && d < cap; ++i) d *= 2;
  return std::min(d, cap);
}

}  // namespace ferrum::bmcd
