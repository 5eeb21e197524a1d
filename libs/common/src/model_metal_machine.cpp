#include "ferrum/model/metal_machine.hpp"

namespace ferrum::model {

void to_json(json& j, const MetalMachineSpec& v) {
  j = json::object();
  if (v.provider_id) j["providerID"] = *v.provider_id;
  if (v.server_ref) j["serverRef"] = *v.server_ref;
  if (v.server_class_ref) j["serverClassRef"] = *v.server_class_ref;
}
void from_json(const json& j, MetalMachineSpec& v) {
  v = {};
  if (!j.is_object()) return;
  v.provider_id = get_string(j, {"providerID"});
  v.server_ref = get_object_as<ObjectReference>(j, {"serverRef"});
  v.server_class_ref = get_object_as<ObjectReference>(j, {"serverClassRef"});
}

MetalMachineSpec MetalMachine::spec() const {
  return get_object_as<MetalMachineSpec>(j_, {"spec"}).value_or(MetalMachineSpec{});
}
std::optional<std::string> MetalMachine::provider_id() const {
  return get_string(j_, {"spec", "providerID"});
}
void MetalMachine::set_provider_id(std::string_view v) { set_field(j_, {"spec", "providerID"}, v); }
std::optional<ObjectReference> MetalMachine::server_ref() const {
  return get_object_as<ObjectReference>(j_, {"spec", "serverRef"});
}
void MetalMachine::set_server_ref(const ObjectReference& ref) {
  set_field(j_, {"spec", "serverRef"}, ref);
}
void MetalMachine::clear_server_ref() { erase_field(j_, {"spec", "serverRef"}); }
std::optional<ObjectReference> MetalMachine::server_class_ref() const {
  return get_object_as<ObjectReference>(j_, {"spec", "serverClassRef"});
}
void MetalMachine::set_server_class_ref(const ObjectReference& ref) {
  set_field(j_, {"spec", "serverClassRef"}, ref);
}
std::vector<NodeAddress> MetalMachine::addresses() const {
  return get_list_as<NodeAddress>(j_, {"status", "addresses"});
}
void MetalMachine::set_addresses(const std::vector<NodeAddress>& v) {
  set_list_or_erase(j_, {"status", "addresses"}, v);
}
std::optional<std::string> MetalMachine::failure_reason() const {
  return get_string(j_, {"status", "failureReason"});
}
std::optional<std::string> MetalMachine::failure_message() const {
  return get_string(j_, {"status", "failureMessage"});
}
void MetalMachine::set_failure(std::string_view reason, std::string_view message) {
  if (reason.empty()) {
    erase_field(j_, {"status", "failureReason"});
    erase_field(j_, {"status", "failureMessage"});
    return;
  }
  set_field(j_, {"status", "failureReason"}, reason);
  set_field(j_, {"status", "failureMessage"}, message);
}

MetalMachineSpec MetalMachineTemplate::template_spec() const {
  return get_object_as<MetalMachineSpec>(j_, {"spec", "template", "spec"})
      .value_or(MetalMachineSpec{});
}

}  // namespace ferrum::model
