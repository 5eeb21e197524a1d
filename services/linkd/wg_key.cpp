#include "wg_key.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

#include "ferrum/base64.hpp"
#include "ferrum/percent_encoding.hpp"

namespace ferrum::linkd {

std::string WgKey::base64() const {
  return base64::encode(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string WgKey::hex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (auto b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

bool WgKey::is_zero() const {
  for (auto b : bytes) {
    if (b != 0) return false;
  }
  return true;
}

std::optional<WgKey> parse_key_base64(std::string_view text) {
  if (text.size() != 44) return std::nullopt;
  auto raw = base64::decode(text);
  if (!raw || raw->size() != 32) return std::nullopt;
  WgKey k;
  for (std::size_t i = 0; i < 32; ++i) k.bytes[i] = static_cast<std::uint8_t>((*raw)[i]);
  // The last character carries 2 bits that are not part of the key; they must be zero, so
  // one key has one text (wireguard-tools src/encoding.c key_from_base64 refuses the others).
  if (k.base64() != text) return std::nullopt;
  return k;
}

std::optional<WgKey> parse_key_hex(std::string_view text) {
  if (text.size() != 64) return std::nullopt;
  WgKey k;
  for (std::size_t i = 0; i < 32; ++i) {
    int hi = hex_digit_value(text[2 * i]);
    int lo = hex_digit_value(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    k.bytes[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return k;
}

WgKey generate_private_key() {
  WgKey k;
  if (RAND_bytes(k.bytes.data(), static_cast<int>(k.bytes.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed: no entropy for a WireGuard private key");
  }
  // RFC 7748 clamping, as `wg genkey` does.
  k.bytes[0] &= 248;
  k.bytes[31] = static_cast<std::uint8_t>((k.bytes[31] & 127) | 64);
  return k;
}

WgKey public_key_of(const WgKey& private_key) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, private_key.bytes.data(),
                                   private_key.bytes.size()),
      &EVP_PKEY_free);
  if (!pkey) throw std::runtime_error("EVP_PKEY_new_raw_private_key(X25519) failed");
  WgKey pub;
  std::size_t len = pub.bytes.size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), pub.bytes.data(), &len) != 1 || len != 32) {
    throw std::runtime_error("EVP_PKEY_get_raw_public_key(X25519) failed");
  }
  return pub;
}

}  // namespace ferrum::linkd
