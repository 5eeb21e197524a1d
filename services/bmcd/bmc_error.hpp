#pragma once
// What can go wrong talking to a BMC, independent of the backend (IPMI or the "api" method),
// and how that becomes a gRPC status (proto/power.proto says what each code promises).
//
// Only kTimeout is retried: the BMC may simply have dropped a datagram. Every other kind is a
// definite answer (bad credentials, an error completion code, an HTTP 500) that the same
// request would get again.

#include <grpcpp/support/status.h>

#include <chrono>
#include <string>
#include <string_view>

namespace ferrum::bmcd {

enum class BmcErrorKind {
  kTimeout,      // no answer in time (retried)
  kUnreachable,  // connection refused, name does not resolve: no BMC listening
  kAuth,         // wrong user, password, or privilege level
  kBmcError,     // the BMC answered with an error (completion code, HTTP status)
  kProtocol,     // the answer could not be understood
  kInternal,     // our side failed (out of memory, bad parameters to the library)
};

struct BmcError {
  BmcErrorKind kind = BmcErrorKind::kInternal;
  std::string message;  // names the endpoint
};

std::string_view kind_name(BmcErrorKind k);
bool is_retryable(BmcErrorKind k);
grpc::StatusCode status_code_for(BmcErrorKind k);

// Backoff before retry `attempt` (1 = the first retry): base * 2^(attempt-1), capped.
std::chrono::milliseconds backoff_delay(int attempt, std::chrono::milliseconds base,
                                        std::chrono::milliseconds cap);

}  // namespace ferrum::bmcd
