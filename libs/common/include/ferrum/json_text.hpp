#pragma once
// JSON text from clients: the nesting limit, UTF-8 checks, and serialisation that never throws.
//
// Contract:
// - kMaxNestingDepth is Kubernetes' limit: k8s.io/apimachinery/pkg/util/json/json.go
//   (`maxDepth = 10000`, "exceeded max depth of 10000") and Go's encoding/json scanner
//   (maxNestingDepth, which sigs.k8s.io/json inherits). A document nested deeper is refused
//   before a tree is built, and every recursive walker in Ferrum (patches, the schema
//   validator, the YAML emitter, renderers) refuses deeper input instead of overflowing its
//   stack.
// - parse() checks, in one pass over the text and before nlohmann builds anything, that the
//   text is UTF-8 and nested at most `max_depth` deep; its errors never contain the client's
//   invalid bytes (they are replaced by U+FFFD), so they can be echoed in any answer.
// - dump() is nlohmann's dump with invalid UTF-8 replaced by U+FFFD instead of the
//   type_error.316 exception: use it for every text that may hold client-supplied strings.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "ferrum/expected.hpp"

namespace ferrum::json_text {

inline constexpr std::size_t kMaxNestingDepth = 10'000;

// Offset of the first byte that does not start or continue a well-formed UTF-8 sequence
// (overlong forms, surrogates and code points above U+10FFFF are ill-formed, as in RFC 3629).
std::optional<std::size_t> invalid_utf8_at(std::string_view s);

// `s` with every ill-formed byte replaced by U+FFFD: safe to put in any message.
std::string valid_utf8(std::string_view s);

// The offset of the bracket that opens level max_depth + 1 of JSON text (strings skipped),
// or nothing when the text is nested no deeper than max_depth. Does not validate the JSON.
std::optional<std::size_t> too_deep_at(std::string_view text,
                                       std::size_t max_depth = kMaxNestingDepth);

// The nesting depth of a tree (a scalar is 0, `[]` and `{}` are 1), counted without
// recursion; stops counting once it passes `limit`.
std::size_t depth(const nlohmann::json& v, std::size_t limit = kMaxNestingDepth);
inline bool deeper_than(const nlohmann::json& v, std::size_t max_depth = kMaxNestingDepth) {
  return depth(v, max_depth) > max_depth;
}

// Whether every string and key in the tree is UTF-8 (for trees built from bytes that no JSON
// parser checked, such as protobuf string fields); walks without recursion.
bool all_utf8(const nlohmann::json& v);

// "exceeded max depth of 10000" (Kubernetes' words).
std::string depth_message(std::size_t max_depth = kMaxNestingDepth);

// Parses client JSON: UTF-8 and nesting checked first, then nlohmann's parser. The error
// says what is wrong and where (byte offset), in valid UTF-8.
Expected<nlohmann::json, std::string> parse(std::string_view text,
                                            std::size_t max_depth = kMaxNestingDepth);

// nlohmann::json::dump that replaces invalid UTF-8 with U+FFFD instead of throwing.
std::string dump(const nlohmann::json& v, int indent = -1);

}  // namespace ferrum::json_text
