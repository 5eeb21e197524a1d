#include "ferrum/model/json_fields.hpp"

namespace ferrum::model {

const json* find_field(const json& root, FieldPath path) {
  const json* cur = &root;
  for (std::string_view key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

json* find_field(json& root, FieldPath path) {
  return const_cast<json*>(find_field(static_cast<const json&>(root), path));
}

json& ensure_field(json& root, FieldPath path) {
  json* cur = &root;
  for (std::string_view key : path) {
    if (!cur->is_object()) *cur = json::object();
    cur = &(*cur)[std::string(key)];
  }
  return *cur;
}

void set_field(json& root, FieldPath path, json value) {
  ensure_field(root, path) = std::move(value);
}

bool erase_field(json& root, FieldPath path) {
  if (path.size() == 0) return false;
  json* parent = &root;
  auto last = path.end() - 1;
  for (auto it = path.begin(); it != last; ++it) {
    if (!parent->is_object()) return false;
    auto found = parent->find(*it);
    if (found == parent->end()) return false;
    parent = &*found;
  }
  if (!parent->is_object()) return false;
  return parent->erase(std::string(*last)) > 0;
}

std::optional<std::string> get_string(const json& root, FieldPath path) {
  const json* v = find_field(root, path);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return v->get<std::string>();
}

std::optional<bool> get_bool(const json& root, FieldPath path) {
  const json* v = find_field(root, path);
  if (v == nullptr || !v->is_boolean()) return std::nullopt;
  return v->get<bool>();
}

std::optional<std::int64_t> get_int(const json& root, FieldPath path) {
  const json* v = find_field(root, path);
  if (v == nullptr) return std::nullopt;
  if (v->is_number_integer()) return v->get<std::int64_t>();
  return std::nullopt;
}

std::vector<std::string> get_string_list(const json& root, FieldPath path) {
  std::vector<std::string> out;
  const json* v = find_field(root, path);
  if (v == nullptr || !v->is_array()) return out;
  for (const auto& item : *v) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

bool is_zero_value(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return true;
    case json::value_t::string:
      return value.get_ref<const std::string&>().empty();
    case json::value_t::boolean:
      return !value.get<bool>();
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return value == 0;
    case json::value_t::object:
    case json::value_t::array:
      return value.empty();
    default:
      return false;
  }
}

}  // namespace ferrum::model
