#pragma once
// Hex digits and percent-encoded query strings (RFC 3986 2.1; '+' as a space, as HTML forms
// and iPXE's ${uuid}/${mac} substitutions send them).

#include <optional>
#include <string>
#include <string_view>

namespace ferrum {

// 0..15 for [0-9a-fA-F], -1 for anything else.
constexpr int hex_digit_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes one query-string key or value; nothing when a '%' is not followed by two hex digits
// (a request to reject, not to guess at).
std::optional<std::string> percent_decode(std::string_view in);

// Whether `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, at most
// U+10FFFF). Decoded query values are checked with it before they reach logs or objects.
bool is_valid_utf8(std::string_view s) noexcept;

}  // namespace ferrum
