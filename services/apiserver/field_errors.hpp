#pragma once
// Field errors as Kubernetes reports them
// (k8s.io/apimachinery/pkg/util/validation/field/errors.go): each names a field path, a type
// (FieldValueInvalid, FieldValueRequired, ...) and a body
// ("Invalid value: \"x\": must be ..."), and a list of them becomes one 422 Status with reason
// Invalid whose details.causes name every field (k8s.io/apimachinery/pkg/api/errors/errors.go
// NewInvalid). invalid_status() is the only place ferrum-apiserver builds that Status.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api_error.hpp"

namespace ferrum::apiserver {

struct FieldError {
  std::string type;   // CauseType: FieldValueInvalid, FieldValueRequired, FieldValueForbidden, ...
  std::string field;  // metadata.labels, spec.bmc.port, data[key]
  std::string body;   // what follows "field: " in the message

  std::string message() const { return field.empty() ? body : field + ": " + body; }

  // `Invalid value: "value": detail` (strings quoted, other JSON values as they print).
  static FieldError invalid(std::string field, const nlohmann::json& value,
                            const std::string& detail);
  static FieldError required(std::string field, const std::string& detail);
  static FieldError forbidden(std::string field, const std::string& detail);
  static FieldError too_long(std::string field, std::size_t limit);
  static FieldError not_supported(std::string field, const nlohmann::json& value,
                                  const std::vector<std::string>& supported);
};

using FieldErrors = std::vector<FieldError>;

// Kubernetes' message for one field that may not change on update.
inline constexpr const char* kFieldImmutable = "field is immutable";

// The 422 Status for `errors` (non-empty): message `<Kind>[.<group>] "<name>" is invalid: <e>`
// or `... is invalid: [<e1>, <e2>]`, details {name, group, kind, causes[{reason, message,
// field}]}.
ApiError invalid_status(const std::string& group, const std::string& kind, const std::string& name,
                        const FieldErrors& errors);

}  // namespace ferrum::apiserver
