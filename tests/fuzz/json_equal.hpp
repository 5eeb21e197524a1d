#pragma once
// JSON equality for round-trip checks: nlohmann's operator== except that NaN equals NaN (a
// YAML `.nan` survives emit and parse as NaN, which == never equals).
#include <cmath>
#include <nlohmann/json.hpp>

namespace ferrum::fuzz {

inline bool same_json(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.is_number_float() && b.is_number_float() && std::isnan(a.get<double>()) &&
      std::isnan(b.get<double>())) {
    return true;
  }
  if (a.is_array() && b.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!same_json(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_object() && b.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto jt = b.find(it.key());
      if (jt == b.end() || !same_json(*it, *jt)) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace ferrum::fuzz
