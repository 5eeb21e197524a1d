#include <algorithm>
#include <array>

#include "ferrum/model/kinds.hpp"
#include "ferrum/model/secret.hpp"

namespace ferrum::model {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    auto n = (static_cast<unsigned char>(bytes[i]) << 16) |
             (static_cast<unsigned char>(bytes[i + 1]) << 8) |
             static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    auto n = static_cast<unsigned char>(bytes[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (rest == 2) {
    auto n = (static_cast<unsigned char>(bytes[i]) << 16) |
             (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    std::array<int, 4> v{};
    int pad = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      char c = text[i + k];
      if (c == '=' && last && k >= 2) {
        ++pad;
        v[k] = 0;
        continue;
      }
      if (pad > 0) return std::nullopt;  // data after padding
      v[k] = sextet(c);
      if (v[k] < 0) return std::nullopt;
    }
    unsigned n = (static_cast<unsigned>(v[0]) << 18) | (static_cast<unsigned>(v[1]) << 12) |
                 (static_cast<unsigned>(v[2]) << 6) | static_cast<unsigned>(v[3]);
    out += static_cast<char>((n >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((n >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(n & 0xff);
  }
  return out;
}

Secret Secret::make(std::string_view namespace_, std::string_view name) {
  Secret s;
  s.set_api_version(kSecret.api_version());
  s.set_kind(kSecret.kind);
  s.set_namespace(namespace_);
  s.set_name(name);
  return s;
}

std::optional<std::string> Secret::value(std::string_view key) const {
  if (const json* sd = find_field(j_, {"stringData"}); sd != nullptr) {
    if (auto v = get_string(*sd, {key})) return v;
  }
  const json* data = find_field(j_, {"data"});
  if (data == nullptr) return std::nullopt;
  auto encoded = get_string(*data, {key});
  if (!encoded) return std::nullopt;
  return base64_decode(*encoded);
}

void Secret::set_value(std::string_view key, std::string_view bytes) {
  // stringData would shadow data on read; drop the key there so the new value is seen.
  remove_map_entry({"stringData"}, key);
  set_field(j_, {"data", key}, base64_encode(bytes));
}

std::vector<std::string> Secret::keys() const {
  std::vector<std::string> out;
  for (const char* field : {"data", "stringData"}) {
    const json* m = find_field(j_, {field});
    if (m == nullptr || !m->is_object()) continue;
    for (auto it = m->begin(); it != m->end(); ++it) out.push_back(it.key());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace ferrum::model
