#pragma once
// Base64 (RFC 4648), the one implementation every module uses.
//
// Contract: encode() is the standard alphabet with padding (what Kubernetes emits for
// Secret data); encode_url() the URL-safe alphabet without padding (opaque tokens).
// decode() is strict: standard alphabet, length a multiple of 4, padding only at the end —
// Kubernetes' rule for Secret data. decode_lenient() also accepts missing padding and
// ignores whitespace (kubeconfig fields written by hand). All return nothing on bad input.

#include <optional>
#include <string>
#include <string_view>

namespace ferrum::base64 {

std::string encode(std::string_view bytes);
std::string encode_url(std::string_view bytes);
std::optional<std::string> decode(std::string_view text);
std::optional<std::string> decode_lenient(std::string_view text);
std::optional<std::string> decode_url(std::string_view text);

}  // namespace ferrum::base64
