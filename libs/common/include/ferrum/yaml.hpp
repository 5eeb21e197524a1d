#pragma once
// YAML <-> JSON for machine configs and Kubernetes manifests.
//
// Contract:
// - Parsing never throws; a syntax error comes back as ParseError with a 1-based line and
//   column. Plain scalars follow the YAML 1.2 core schema as go-yaml v3 (Talos) reads them:
//   true/false (any case style of the core schema) are booleans; yes/no/on/off/y/n stay
//   strings; null, ~ and empty are null; integers in decimal, 0x hex, 0o octal and
//   leading-zero octal (0644, as Kubernetes and Talos read file modes) become integers
//   (int64, else uint64, else double); core-schema floats and .inf/.nan become doubles.
//   Quoted and block scalars are always strings. Duplicate keys are errors.
// - Limits (errors, never a crash): text that is not UTF-8 (as go-yaml refuses it), nesting
//   deeper than 256 levels (yaml-cpp's own parser stops at 2000, its DeepRecursion), and a
//   document expanding to more than 1,000,000 nodes (aliases).
// - emit() recurses once per level: callers holding client documents check them against
//   json_text::kMaxNestingDepth first (every Ferrum producer of documents already does).
// - Streams: parse_all() returns one value per document and drops documents that are empty
//   or null (a trailing `---`, comment-only sections), as kubectl and Talos do.
// - Emitting: emit(parse(x)) re-parses to the same JSON, and the output also reads the same
//   under YAML 1.1 parsers (go-yaml v2, sigs.k8s.io/yaml): every string that any of them
//   could read as another type is double-quoted. Multi-line strings use literal block style
//   when that is exact. Object keys come out in nlohmann's order (sorted by key).

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ferrum/expected.hpp"

namespace ferrum::yaml {

// Deepest nesting parse() accepts. Machine configs and manifests nest a few dozen levels; the
// emitter's output grows with the square of the depth (indentation), so producers of YAML
// (the metadata renderer) refuse documents deeper than this too.
inline constexpr std::size_t kMaxDepth = 256;

struct ParseError {
  std::size_t line = 0;    // 1-based; 0 when the error has no position
  std::size_t column = 0;  // 1-based; 0 when the error has no position
  std::string reason;

  // "line 3, column 7: <reason>"
  std::string message() const;
};

// At most one non-empty document (an empty text is null); more than one is an error.
Expected<nlohmann::json, ParseError> parse(std::string_view text);

// Any number of documents, empty and null ones dropped.
Expected<std::vector<nlohmann::json>, ParseError> parse_all(std::string_view text);

// One document, ending in a newline.
std::string emit(const nlohmann::json& doc);

// Documents separated by `---` lines; an empty vector is an empty string.
std::string emit_all(const std::vector<nlohmann::json>& docs);

}  // namespace ferrum::yaml
