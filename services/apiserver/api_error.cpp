#include "api_error.hpp"

namespace ferrum::apiserver {

nlohmann::json ApiError::status() const {
  nlohmann::json s = {{"kind", "Status"},       {"apiVersion", "v1"}, {"metadata", nlohmann::json::object()},
                      {"status", "Failure"},    {"message", message}, {"reason", reason},
                      {"code", code}};
  if (!details.empty()) s["details"] = details;
  return s;
}

static nlohmann::json details_of(const std::string& qualified, const std::string& name) {
  auto dot = qualified.find('.');
  nlohmann::json d = {{"name", name}, {"kind", qualified.substr(0, dot)}};
  if (dot != std::string::npos) d["group"] = qualified.substr(dot + 1);
  return d;
}

ApiError ApiError::not_found(const std::string& qualified, const std::string& name) {
  return {404, "NotFound", qualified + " \"" + name + "\" not found", details_of(qualified, name)};
}

ApiError ApiError::already_exists(const std::string& qualified, const std::string& name) {
  return {409, "AlreadyExists", qualified + " \"" + name + "\" already exists", details_of(qualified, name)};
}

ApiError ApiError::conflict(const std::string& qualified, const std::string& name, const std::string& why) {
  return {409, "Conflict",
          "Operation cannot be fulfilled on " + qualified + " \"" + name + "\": " + why,
          details_of(qualified, name)};
}

ApiError ApiError::invalid(const std::string& kind, const std::string& name, const std::string& field,
                           const std::string& why) {
  ApiError e{422, "Invalid", kind + " \"" + name + "\" is invalid: " + field + ": " + why};
  e.details = {{"name", name},
               {"kind", kind},
               {"causes", nlohmann::json::array({{{"reason", "FieldValueInvalid"},
                                                  {"message", why},
                                                  {"field", field}}})}};
  return e;
}

ApiError ApiError::too_large_resource_version(std::uint64_t requested, std::uint64_t current) {
  // k8s.io/apiserver/pkg/storage/cacher/watch_cache.go: resourceVersionTooHighRetrySeconds = 1.
  constexpr int kRetrySeconds = 1;
  ApiError e{504, "Timeout",
             "Timeout: Too large resource version: " + std::to_string(requested) +
                 ", current: " + std::to_string(current)};
  e.details = {{"causes", nlohmann::json::array({{{"reason", "ResourceVersionTooLarge"},
                                                  {"message", "Too large resource version"}}})},
               {"retryAfterSeconds", kRetrySeconds}};
  return e;
}

int ApiError::retry_after_seconds() const {
  auto it = details.find("retryAfterSeconds");
  return it != details.end() && it->is_number_integer() ? it->get<int>() : 0;
}

}  // namespace ferrum::apiserver
