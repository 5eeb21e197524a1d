#include <array>

#include "ferrum/model/kinds.hpp"
#include "ferrum/model/server_binding.hpp"
#include "ferrum/model/value_types.hpp"

namespace ferrum::model {

void to_json(json& j, const SideroLink& v) {
  j = json{{"address", v.address}, {"publicKey", v.public_key}};
}
void from_json(const json& j, SideroLink& v) {
  v = {};
  if (!j.is_object()) return;
  v.address = get_string(j, {"address"}).value_or("");
  v.public_key = get_string(j, {"publicKey"}).value_or("");
}

ServerBinding ServerBinding::make(std::string_view server_uuid) {
  ServerBinding b;
  b.set_api_version(kServerBinding.api_version());
  b.set_kind(kServerBinding.kind);
  b.set_name(server_uuid);
  return b;
}
std::optional<ObjectReference> ServerBinding::server_class_ref() const {
  return get_object_as<ObjectReference>(j_, {"spec", "serverClassRef"});
}
void ServerBinding::set_server_class_ref(const ObjectReference& ref) {
  set_field(j_, {"spec", "serverClassRef"}, ref);
}
ObjectReference ServerBinding::metal_machine_ref() const {
  return get_object_as<ObjectReference>(j_, {"spec", "metalMachineRef"})
      .value_or(ObjectReference{});
}
void ServerBinding::set_metal_machine_ref(const ObjectReference& ref) {
  set_field(j_, {"spec", "metalMachineRef"}, ref);
}
std::optional<SideroLink> ServerBinding::siderolink() const {
  return get_object_as<SideroLink>(j_, {"spec", "siderolink"});
}
void ServerBinding::set_siderolink(const SideroLink& v) {
  static constexpr std::array<std::string_view, 2> kFields{"address", "publicKey"};
  overlay_known_fields(ensure_field(j_, {"spec", "siderolink"}), json(v), kFields);
}
std::vector<std::string> ServerBinding::addresses() const {
  return get_string_list(j_, {"spec", "addresses"});
}
void ServerBinding::set_addresses(const std::vector<std::string>& v) {
  set_list_or_erase(j_, {"spec", "addresses"}, v);
}
std::optional<std::string> ServerBinding::hostname() const {
  return get_string(j_, {"spec", "hostname"});
}
void ServerBinding::set_hostname(std::string_view v) { set_field(j_, {"spec", "hostname"}, v); }

}  // namespace ferrum::model
