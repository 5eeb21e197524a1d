#include <algorithm>
#include <array>

#include "ferrum/model/kinds.hpp"
#include "ferrum/model/secret.hpp"

#include "ferrum/base64.hpp"

namespace ferrum::model {

std::string base64_encode(std::string_view bytes) { return base64::encode(bytes); }

std::optional<std::string> base64_decode(std::string_view text) { return base64::decode(text); }

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
