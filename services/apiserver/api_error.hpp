#pragma once
// Errors as Kubernetes Status objects: every failed request answers one, with the reason a
// client switches on (NotFound, AlreadyExists, Conflict, Invalid, Gone, ...) and a message
// that names the bad field or object.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace ferrum::apiserver {

struct ApiError {
  int code = 500;
  std::string reason;  // StatusReason, e.g. "NotFound"
  std::string message;
  nlohmann::json details = nlohmann::json::object();  // {name, group, kind, causes[]}

  nlohmann::json status() const;

  static ApiError bad_request(std::string msg) { return {400, "BadRequest", std::move(msg)}; }
  static ApiError unauthorized() { return {401, "Unauthorized", "Unauthorized"}; }
  static ApiError not_found(const std::string& qualified, const std::string& name);
  static ApiError not_found_path(std::string msg) { return {404, "NotFound", std::move(msg)}; }
  static ApiError already_exists(const std::string& qualified, const std::string& name);
  static ApiError conflict(const std::string& qualified, const std::string& name, const std::string& why);
  static ApiError invalid(const std::string& kind, const std::string& name, const std::string& field,
                          const std::string& why);
  static ApiError gone(std::string msg) { return {410, "Expired", std::move(msg)}; }
  static ApiError method_not_allowed(std::string msg) { return {405, "MethodNotAllowed", std::move(msg)}; }
  static ApiError too_large(std::string msg) { return {413, "RequestEntityTooLarge", std::move(msg)}; }
  static ApiError unsupported_media(std::string msg) { return {415, "UnsupportedMediaType", std::move(msg)}; }
  static ApiError unprocessable(std::string msg) { return {422, "Invalid", std::move(msg)}; }
  static ApiError internal(std::string msg) { return {500, "InternalError", std::move(msg)}; }
  // A read or watch from a resourceVersion this server has not reached: a 504 Timeout with the
  // cause ResourceVersionTooLarge and a retry hint, as k8s.io/apiserver/pkg/storage/errors.go
  // NewTooLargeResourceVersionError builds it (client-go's reflector relists on it).
  static ApiError too_large_resource_version(std::uint64_t requested, std::uint64_t current);
  // Seconds the client should wait before retrying (details.retryAfterSeconds), 0 if none.
  int retry_after_seconds() const;
};

}  // namespace ferrum::apiserver
