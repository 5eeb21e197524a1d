#pragma once
// Field selectors (`?fieldSelector=`): `a=b`, `a==b`, `a!=b`, comma-separated, on the fields a
// resource supports (metadata.name and metadata.namespace everywhere, plus the ones
// k8s.io/kubernetes pkg/registry/core/{event,secret}/strategy.go add for Events and Secrets).
// Pure: its own file so the parser, which takes outside bytes, is fuzzed alone.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ferrum/expected.hpp"

namespace ferrum::apiserver {

struct FieldRequirement {
  std::string field;
  std::string value;
  bool negate = false;
};

// `group`/`plural` pick the supported fields; the error names the bad term or field.
Expected<std::vector<FieldRequirement>, std::string> parse_field_selector(std::string_view text,
                                                                          std::string_view group,
                                                                          std::string_view plural);

// The value a selector compares: a string as is, null or absent as "", anything else as JSON.
std::string field_value(const nlohmann::json& obj, const std::string& field);

// Whether `obj` satisfies every requirement.
bool fields_match(const std::vector<FieldRequirement>& requirements, const nlohmann::json& obj);

}  // namespace ferrum::apiserver
