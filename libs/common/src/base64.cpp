#include "ferrum/base64.hpp"

namespace ferrum::base64 {

namespace {

constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode_with(std::string_view in, const char* table, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto byte = [&](std::size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(in[k])); };
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out += table[v >> 18 & 63];
    out += table[v >> 12 & 63];
    out += table[v >> 6 & 63];
    out += table[v & 63];
  }
  if (in.size() - i == 1) {
    unsigned v = byte(i) << 16;
    out += table[v >> 18 & 63];
    out += table[v >> 12 & 63];
    if (pad) out += "==";
  } else if (in.size() - i == 2) {
    unsigned v = byte(i) << 16 | byte(i + 1) << 8;
    out += table[v >> 18 & 63];
    out += table[v >> 12 & 63];
    out += table[v >> 6 & 63];
    if (pad) out += '=';
  }
  return out;
}

int value_of(char c, bool url) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == (url ? '-' : '+')) return 62;
  if (c == (url ? '_' : '/')) return 63;
  return -1;
}

enum class Padding { kRequired, kOptional, kNone };

std::optional<std::string> decode_with(std::string_view in, bool url, Padding padding, bool skip_space) {
  std::string out;
  out.reserve(in.size() / 4 * 3);
  unsigned buf = 0;
  int bits = 0;
  std::size_t symbols = 0, pads = 0;
  for (char c : in) {
    if (skip_space && (c == ' ' || c == '\n' || c == '\r' || c == '\t')) continue;
    if (c == '=') {
      if (padding == Padding::kNone) return std::nullopt;
      ++pads;
      continue;
    }
    if (pads > 0) return std::nullopt;  // data after padding
    int v = value_of(c, url);
    if (v < 0) return std::nullopt;
    buf = buf << 6 | static_cast<unsigned>(v);
    bits += 6;
    ++symbols;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>(buf >> bits & 0xff);
    }
  }
  if (symbols % 4 == 1 || pads > 2) return std::nullopt;  // a lone symbol encodes no byte
  if (pads > 0 && (symbols + pads) % 4 != 0) return std::nullopt;
  if (padding == Padding::kRequired && (symbols + pads) % 4 != 0) return std::nullopt;
  return out;
}

}  // namespace

std::string encode(std::string_view bytes) { return encode_with(bytes, kStd, true); }
std::string encode_url(std::string_view bytes) { return encode_with(bytes, kUrl, false); }
std::optional<std::string> decode(std::string_view text) {
  return decode_with(text, false, Padding::kRequired, false);
}
std::optional<std::string> decode_lenient(std::string_view text) {
  return decode_with(text, false, Padding::kOptional, true);
}
std::optional<std::string> decode_url(std::string_view text) {
  return decode_with(text, true, Padding::kNone, false);
}

}  // namespace ferrum::base64
