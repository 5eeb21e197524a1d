#include "ferrum/model/kinds.hpp"
#include "ferrum/model/server_class.hpp"

namespace ferrum::model {

ServerClass ServerClass::make(std::string_view name) {
  ServerClass c;
  c.set_api_version(kServerClass.api_version());
  c.set_kind(kServerClass.kind);
  c.set_name(name);
  return c;
}

std::optional<ObjectReference> ServerClass::environment_ref() const {
  return get_object_as<ObjectReference>(j_, {"spec", "environmentRef"});
}
void ServerClass::set_environment_ref(const ObjectReference& ref) {
  set_field(j_, {"spec", "environmentRef"}, ref);
}
void ServerClass::clear_environment_ref() { erase_field(j_, {"spec", "environmentRef"}); }

const json* ServerClass::hardware_qualifiers_json() const {
  return find_field(j_, {"spec", "qualifiers", "hardware"});
}
std::vector<HardwareInformation> ServerClass::hardware_qualifiers() const {
  return get_list_as<HardwareInformation>(j_, {"spec", "qualifiers", "hardware"});
}
void ServerClass::set_hardware_qualifiers(const std::vector<HardwareInformation>& v) {
  set_list_or_erase(j_, {"spec", "qualifiers", "hardware"}, v);
}

std::vector<Labels> ServerClass::label_selector_qualifiers() const {
  std::vector<Labels> out;
  const json* list = find_field(j_, {"spec", "qualifiers", "labelSelectors"});
  if (list == nullptr || !list->is_array()) return out;
  for (const auto& m : *list) {
    if (m.is_object()) out.push_back(string_map_from_json(m));
  }
  return out;
}
void ServerClass::set_label_selector_qualifiers(const std::vector<Labels>& v) {
  if (v.empty()) {
    erase_field(j_, {"spec", "qualifiers", "labelSelectors"});
    return;
  }
  json list = json::array();
  for (const auto& m : v) {
    json entry = json::object();
    for (const auto& [k, val] : m) entry[k] = val;
    list.push_back(std::move(entry));
  }
  set_field(j_, {"spec", "qualifiers", "labelSelectors"}, std::move(list));
}

std::vector<ConfigPatch> ServerClass::config_patches() const {
  return get_list_as<ConfigPatch>(j_, {"spec", "configPatches"});
}
void ServerClass::set_config_patches(const std::vector<ConfigPatch>& v) {
  set_list_or_erase(j_, {"spec", "configPatches"}, v);
}
std::vector<std::string> ServerClass::strategic_patches() const {
  return get_string_list(j_, {"spec", "strategicPatches"});
}
void ServerClass::set_strategic_patches(const std::vector<std::string>& v) {
  set_list_or_erase(j_, {"spec", "strategicPatches"}, v);
}
std::optional<std::string> ServerClass::boot_from_disk_method() const {
  return get_string(j_, {"spec", "bootFromDiskMethod"});
}
void ServerClass::set_boot_from_disk_method(std::string_view v) {
  set_field(j_, {"spec", "bootFromDiskMethod"}, v);
}

std::vector<std::string> ServerClass::servers_available() const {
  return get_string_list(j_, {"status", "serversAvailable"});
}
std::vector<std::string> ServerClass::servers_in_use() const {
  return get_string_list(j_, {"status", "serversInUse"});
}
void ServerClass::set_servers_available(const std::vector<std::string>& v) {
  set_field(j_, {"status", "serversAvailable"}, v);
}
void ServerClass::set_servers_in_use(const std::vector<std::string>& v) {
  set_field(j_, {"status", "serversInUse"}, v);
}

}  // namespace ferrum::model
