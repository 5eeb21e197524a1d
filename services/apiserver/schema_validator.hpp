#pragma once
// Validation of an object against its CRD version's structural openAPIV3Schema, as the real
// API server does: types (object, array, string, integer, number, boolean), nullable,
// required, enum, minimum/maximum, minLength/maxLength, minItems/maxItems, pattern,
// format (date-time, int-or-string via x-kubernetes-int-or-string), items, properties,
// additionalProperties (schema or bool), x-kubernetes-preserve-unknown-fields.
//
// Contract: returns every problem found (not only the first), each naming the field path
// as Kubernetes does (`spec.hardware.compute.processorCount`, `spec.configPatches[2].op`).
// Fields not declared by the schema (where unknown fields are not preserved) are reported
// separately as unknown, so the caller can apply fieldValidation=Strict|Warn|Ignore.
// `metadata` is only checked to be an object; apiVersion/kind are not checked here.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ferrum::apiserver {

// How deep validation follows a schema and an object together. Real CRD schemas nest a few
// dozen levels; Kubernetes bounds documents at 10000 levels, but the validator recurses with
// about 1.4 KB of stack per level, so a schema and an object nested deeper than this get a
// problem ("exceeded max depth of 1000") rather than a stack overflow.
inline constexpr std::size_t kMaxValidationDepth = 1'000;

struct SchemaProblem {
  std::string field;    // path, e.g. spec.bmc.port
  std::string message;  // e.g. Invalid value: "string": spec.bmc.port in body must be of type
                        // integer: "string"
  bool unknown_field = false;
};

std::vector<SchemaProblem> validate_against_schema(const nlohmann::json& schema,
                                                   const nlohmann::json& object);

// What the real API server does to a custom resource before validating it: drops the fields
// validate_against_schema reports as unknown (pruning), and drops null values of properties
// that are not nullable. Callers prune after deciding fieldValidation, then validate.
void prune_to_schema(const nlohmann::json& schema, nlohmann::json& object);

}  // namespace ferrum::apiserver
