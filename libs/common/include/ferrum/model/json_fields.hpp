#pragma once
// Path-based access into a resource's JSON tree. Every view in ferrum::model reads and writes
// through these so that fields it does not know about are never touched.
// Contract: readers never throw and return nullopt/nullptr when a field is missing or has the
// wrong type; writers create missing parents as objects (replacing a parent that is not an
// object, because the caller asked for that field to exist); erase removes only the leaf.

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferrum::model {

using json = nlohmann::json;
using FieldPath = std::initializer_list<std::string_view>;

const json* find_field(const json& root, FieldPath path);
json* find_field(json& root, FieldPath path);

// Returns the value at path, creating it (as null) and its parents if needed.
json& ensure_field(json& root, FieldPath path);
void set_field(json& root, FieldPath path, json value);
// Removes the leaf; returns whether it existed. Parents stay, even if left empty.
bool erase_field(json& root, FieldPath path);

std::optional<std::string> get_string(const json& root, FieldPath path);
std::optional<bool> get_bool(const json& root, FieldPath path);
std::optional<std::int64_t> get_int(const json& root, FieldPath path);
// Array of strings; entries that are not strings are skipped.
std::vector<std::string> get_string_list(const json& root, FieldPath path);

// Go's `omitempty` notion of "not set": null, "", 0, false, {} or [].
bool is_zero_value(const json& value);

// An object at path converted with T's from_json; nullopt if missing or not an object.
template <typename T>
std::optional<T> get_object_as(const json& root, FieldPath path) {
  const json* v = find_field(root, path);
  if (v == nullptr || !v->is_object()) return std::nullopt;
  return v->get<T>();
}

// The object entries of the array at path, each converted with T's from_json.
template <typename T>
std::vector<T> get_list_as(const json& root, FieldPath path) {
  std::vector<T> out;
  const json* v = find_field(root, path);
  if (v == nullptr || !v->is_array()) return out;
  for (const auto& item : *v) {
    if (item.is_object()) out.push_back(item.template get<T>());
  }
  return out;
}

// Writes a list, or removes the field when the list is empty (Go's omitempty).
template <typename T>
void set_list_or_erase(json& root, FieldPath path, const std::vector<T>& v) {
  if (v.empty()) {
    erase_field(root, path);
  } else {
    set_field(root, path, json(v));
  }
}

}  // namespace ferrum::model
