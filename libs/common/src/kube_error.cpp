#include <cctype>

#include "ferrum/kube/error.hpp"

namespace ferrum::kube {

std::string Error::describe() const {
  std::string s = reason.empty() ? std::string("Error") : reason;
  s += " (" + std::to_string(code) + ")";
  if (!message.empty()) s += ": " + message;
  return s;
}

std::string_view reason_for_code(int c) {
  switch (c) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 406:
      return "NotAcceptable";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 413:
      return "RequestEntityTooLarge";
    case 415:
      return "UnsupportedMediaType";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return "";
  }
}

Error error_from_status(const nlohmann::json& status, int fallback_code) {
  Error e;
  e.code = fallback_code;
  if (status.is_object()) {
    if (auto c = status.find("code");
        c != status.end() && c->is_number_integer() && c->get<int>() != 0)
      e.code = c->get<int>();
    if (auto r = status.find("reason"); r != status.end() && r->is_string())
      e.reason = r->get<std::string>();
    if (auto m = status.find("message"); m != status.end() && m->is_string())
      e.message = m->get<std::string>();
  }
  if (e.reason.empty()) e.reason = std::string(reason_for_code(e.code));
  return e;
}

Error error_from_response(int http_code, std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.value("kind", "") == "Status") {
    Error e = error_from_status(j, http_code);
    // The HTTP code is authoritative for the class of failure; a Status disagreeing with it
    // (rare, proxies) keeps its reason and message.
    e.code = http_code;
    return e;
  }
  Error e;
  e.code = http_code;
  e.reason = std::string(reason_for_code(http_code));
  std::string msg(body.substr(0, 1024));
  while (!msg.empty() && std::isspace(static_cast<unsigned char>(msg.back()))) msg.pop_back();
  e.message = msg.empty() ? "HTTP " + std::to_string(http_code) : msg;
  return e;
}

namespace {
// client-go: the reason decides; the code alone only when the reason is unknown.
bool reason_or_code(const Error& e, std::string_view reason, int code) {
  return e.reason == reason || (e.reason.empty() && e.code == code);
}
}  // namespace

bool is_not_found(const Error& e) { return reason_or_code(e, "NotFound", 404); }
bool is_already_exists(const Error& e) { return e.reason == "AlreadyExists"; }
bool is_conflict(const Error& e) { return reason_or_code(e, "Conflict", 409); }
bool is_gone(const Error& e) {
  return e.code == 410 || e.reason == "Gone" || e.reason == "Expired";
}
bool is_invalid(const Error& e) { return reason_or_code(e, "Invalid", 422); }
bool is_forbidden(const Error& e) { return reason_or_code(e, "Forbidden", 403); }
bool is_unauthorized(const Error& e) { return reason_or_code(e, "Unauthorized", 401); }
bool is_too_many_requests(const Error& e) { return e.code == 429 || e.reason == "TooManyRequests"; }
bool is_transport(const Error& e) {
  return e.code == 0 && e.reason != kReasonCancelled && e.reason != kReasonBadRequest;
}
bool is_cancelled(const Error& e) { return e.code == 0 && e.reason == kReasonCancelled; }
bool is_retryable(const Error& e) {
  return is_transport(e) || is_too_many_requests(e) || (e.code >= 500 && e.code <= 599);
}

}  // namespace ferrum::kube
