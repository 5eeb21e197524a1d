#pragma once
// Errors of Kubernetes API calls.
//
// Contract: `code` is the HTTP status of the answer (the Status object's `code` when the body
// is one), or 0 when no answer arrived (transport failure, timeout, cancellation); `reason`
// is the Status reason (NotFound, AlreadyExists, Conflict, Gone/Expired, Invalid, ...) or,
// without a Status body, the reason Kubernetes uses for that HTTP code; for code 0 it is one
// of the kReason* constants below. `message` is meant for humans and logs.
// The is_* helpers follow client-go's apierrors: a reason wins, a bare code decides only
// when the reason is unknown.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace ferrum::kube {

struct Error {
  int code = 0;
  std::string reason;
  std::string message;

  // "NotFound (404): secrets \"x\" not found"
  std::string describe() const;
};

// Reasons of errors raised on this side of the connection (code 0).
inline constexpr std::string_view kReasonTransport = "TransportError";  // connect, TLS, reset
inline constexpr std::string_view kReasonTimeout = "ClientTimeout";
inline constexpr std::string_view kReasonCancelled = "Cancelled";
inline constexpr std::string_view kReasonBadResponse = "BadResponse";      // not JSON, too large
inline constexpr std::string_view kReasonBadRequest = "BadClientRequest";  // caller's input

// Builds the error for a non-2xx answer: from a `Status` body when there is one, else from
// the HTTP code alone (body text, trimmed, becomes the message).
Error error_from_response(int http_code, std::string_view body);
// Builds the error of a watch ERROR event (its object is a Status).
Error error_from_status(const nlohmann::json& status, int fallback_code);
// Kubernetes' reason for an HTTP code ("NotFound" for 404, "" when it has none).
std::string_view reason_for_code(int http_code);

bool is_not_found(const Error& e);
bool is_already_exists(const Error& e);
bool is_conflict(const Error& e);
// 410: resourceVersion too old (reason Expired or Gone); the caller must relist.
bool is_gone(const Error& e);
bool is_invalid(const Error& e);
bool is_forbidden(const Error& e);
bool is_unauthorized(const Error& e);
bool is_too_many_requests(const Error& e);
// The request never got an answer (code 0), timeouts included; cancellation excluded.
bool is_transport(const Error& e);
bool is_cancelled(const Error& e);
// Worth retrying unchanged after a pause: transport failures, 429, 5xx.
bool is_retryable(const Error& e);

}  // namespace ferrum::kube
