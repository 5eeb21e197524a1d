#pragma once
// WireGuard keys (Curve25519, 32 bytes). Talos and `wg` write them in base64; the
// wireguard-go UAPI wants 64 lowercase hex digits; the kernel's netlink takes raw bytes.
// A public key from a node is only checked for shape (32 bytes): any 32 bytes are a valid
// Curve25519 point encoding, and WireGuard itself refuses a handshake with a bad key.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferrum::linkd {

struct WgKey {
  std::array<std::uint8_t, 32> bytes{};

  std::string base64() const;
  std::string hex() const;
  bool is_zero() const;
  auto operator<=>(const WgKey&) const = default;
};

// Strict base64 of exactly 32 bytes (44 characters with one '=', the unused low bits zero).
std::optional<WgKey> parse_key_base64(std::string_view text);
// 64 hex digits, either case.
std::optional<WgKey> parse_key_hex(std::string_view text);

// A fresh private key from the OS CSPRNG, clamped as Curve25519 requires.
WgKey generate_private_key();
// The X25519 public key of `private_key`.
WgKey public_key_of(const WgKey& private_key);

}  // namespace ferrum::linkd
