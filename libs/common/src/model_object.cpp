#include <algorithm>

#include "ferrum/model/object.hpp"

namespace ferrum::model {

Labels string_map_from_json(const nlohmann::json& j) {
  Labels out;
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it->is_string()) out.emplace(it.key(), it->get<std::string>());
  }
  return out;
}

std::string Object::api_version() const { return string_or_empty({"apiVersion"}); }
void Object::set_api_version(std::string_view v) { set_field(j_, {"apiVersion"}, v); }
std::string Object::kind() const { return string_or_empty({"kind"}); }
void Object::set_kind(std::string_view v) { set_field(j_, {"kind"}, v); }

std::string Object::name() const { return string_or_empty({"metadata", "name"}); }
void Object::set_name(std::string_view v) { set_field(j_, {"metadata", "name"}, v); }
std::string Object::namespace_() const { return string_or_empty({"metadata", "namespace"}); }
void Object::set_namespace(std::string_view v) { set_field(j_, {"metadata", "namespace"}, v); }
std::string Object::uid() const { return string_or_empty({"metadata", "uid"}); }
void Object::set_uid(std::string_view v) { set_field(j_, {"metadata", "uid"}, v); }
std::string Object::resource_version() const {
  return string_or_empty({"metadata", "resourceVersion"});
}
void Object::set_resource_version(std::string_view v) {
  set_field(j_, {"metadata", "resourceVersion"}, v);
}
void Object::clear_resource_version() { erase_field(j_, {"metadata", "resourceVersion"}); }
std::optional<std::int64_t> Object::generation() const {
  return get_int(j_, {"metadata", "generation"});
}
void Object::set_generation(std::int64_t g) { set_field(j_, {"metadata", "generation"}, g); }

bool Object::remove_map_entry(FieldPath map_path, std::string_view key) {
  json* map = find_field(j_, map_path);
  if (map == nullptr || !map->is_object()) return false;
  bool removed = map->erase(std::string(key)) > 0;
  if (map->empty()) erase_field(j_, map_path);
  return removed;
}

void Object::set_or_erase_string(FieldPath path, const std::optional<std::string>& v) {
  if (v) {
    set_field(j_, path, *v);
  } else {
    erase_field(j_, path);
  }
}

Labels Object::labels() const {
  const json* m = find_field(j_, {"metadata", "labels"});
  return m ? string_map_from_json(*m) : Labels{};
}
std::optional<std::string> Object::label(std::string_view key) const {
  const json* m = find_field(j_, {"metadata", "labels"});
  if (m == nullptr) return std::nullopt;
  return get_string(*m, {key});
}
void Object::set_label(std::string_view key, std::string_view value) {
  set_field(j_, {"metadata", "labels", key}, value);
}
bool Object::remove_label(std::string_view key) {
  return remove_map_entry({"metadata", "labels"}, key);
}

Labels Object::annotations() const {
  const json* m = find_field(j_, {"metadata", "annotations"});
  return m ? string_map_from_json(*m) : Labels{};
}
std::optional<std::string> Object::annotation(std::string_view key) const {
  const json* m = find_field(j_, {"metadata", "annotations"});
  if (m == nullptr) return std::nullopt;
  return get_string(*m, {key});
}
void Object::set_annotation(std::string_view key, std::string_view value) {
  set_field(j_, {"metadata", "annotations", key}, value);
}
bool Object::remove_annotation(std::string_view key) {
  return remove_map_entry({"metadata", "annotations"}, key);
}

std::vector<std::string> Object::finalizers() const {
  return get_string_list(j_, {"metadata", "finalizers"});
}
bool Object::has_finalizer(std::string_view f) const {
  auto all = finalizers();
  return std::find(all.begin(), all.end(), f) != all.end();
}
bool Object::add_finalizer(std::string_view f) {
  if (has_finalizer(f)) return false;
  json& list = ensure_field(j_, {"metadata", "finalizers"});
  if (!list.is_array()) list = json::array();
  list.push_back(f);
  return true;
}
bool Object::remove_finalizer(std::string_view f) {
  json* list = find_field(j_, {"metadata", "finalizers"});
  if (list == nullptr || !list->is_array()) return false;
  auto before = list->size();
  auto& arr = list->get_ref<json::array_t&>();
  arr.erase(
      std::remove_if(arr.begin(), arr.end(),
                     [&](const json& v) { return v.is_string() && v.get<std::string>() == f; }),
      arr.end());
  bool changed = arr.size() != before;
  if (arr.empty()) erase_field(j_, {"metadata", "finalizers"});
  return changed;
}

std::vector<OwnerReference> Object::owner_references() const {
  std::vector<OwnerReference> out;
  const json* list = find_field(j_, {"metadata", "ownerReferences"});
  if (list == nullptr || !list->is_array()) return out;
  for (const auto& item : *list) {
    if (item.is_object()) out.push_back(item.get<OwnerReference>());
  }
  return out;
}

bool Object::add_owner_reference(const OwnerReference& ref) {
  json& list = ensure_field(j_, {"metadata", "ownerReferences"});
  if (!list.is_array()) list = json::array();
  json entry = ref;
  for (auto& item : list) {
    if (item.is_object() && item.value("uid", "") == ref.uid) {
      if (item == entry) return false;
      item = std::move(entry);
      return true;
    }
  }
  list.push_back(std::move(entry));
  return true;
}

bool Object::remove_owner_reference(std::string_view uid) {
  json* list = find_field(j_, {"metadata", "ownerReferences"});
  if (list == nullptr || !list->is_array()) return false;
  auto& arr = list->get_ref<json::array_t&>();
  auto before = arr.size();
  arr.erase(
      std::remove_if(arr.begin(), arr.end(),
                     [&](const json& v) { return v.is_object() && v.value("uid", "") == uid; }),
      arr.end());
  bool changed = arr.size() != before;
  if (arr.empty()) erase_field(j_, {"metadata", "ownerReferences"});
  return changed;
}

std::optional<OwnerReference> Object::controller_owner() const {
  for (auto& ref : owner_references()) {
    if (ref.is_controller()) return ref;
  }
  return std::nullopt;
}

bool Object::is_owned_by(std::string_view uid) const {
  for (auto& ref : owner_references()) {
    if (ref.uid == uid) return true;
  }
  return false;
}

std::optional<OwnerReference> Object::owner_of_kind(std::string_view group,
                                                    std::string_view kind) const {
  for (auto& ref : owner_references()) {
    if (ref.kind != kind) continue;
    auto slash = ref.api_version.find('/');
    std::string_view ref_group = slash == std::string::npos
                                     ? std::string_view{}
                                     : std::string_view(ref.api_version).substr(0, slash);
    if (ref_group == group) return ref;
  }
  return std::nullopt;
}

std::optional<Timestamp> Object::creation_timestamp() const {
  auto s = get_string(j_, {"metadata", "creationTimestamp"});
  return s ? parse_rfc3339(*s) : std::nullopt;
}
void Object::set_creation_timestamp(Timestamp t) {
  set_field(j_, {"metadata", "creationTimestamp"}, format_rfc3339(t));
}
std::optional<Timestamp> Object::deletion_timestamp() const {
  auto s = get_string(j_, {"metadata", "deletionTimestamp"});
  return s ? parse_rfc3339(*s) : std::nullopt;
}
void Object::set_deletion_timestamp(Timestamp t) {
  set_field(j_, {"metadata", "deletionTimestamp"}, format_rfc3339(t));
}

}  // namespace ferrum::model
