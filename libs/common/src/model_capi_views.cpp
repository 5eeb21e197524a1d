// MetalCluster, MetalMachine(Template), ServerBinding, Cluster and Machine views.
#include <array>

#include "ferrum/model/cluster_api.hpp"
#include "ferrum/model/kinds.hpp"
#include "ferrum/model/metal_cluster.hpp"
#include "ferrum/model/metal_machine.hpp"
#include "ferrum/model/server_binding.hpp"

namespace ferrum::model {

std::optional<ApiEndpoint> MetalCluster::control_plane_endpoint() const {
  return get_object_as<ApiEndpoint>(j_, {"spec", "controlPlaneEndpoint"});
}
void MetalCluster::set_control_plane_endpoint(const ApiEndpoint& v) {
  set_field(j_, {"spec", "controlPlaneEndpoint"}, v);
}

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

std::optional<ApiEndpoint> Cluster::control_plane_endpoint() const {
  return get_object_as<ApiEndpoint>(j_, {"spec", "controlPlaneEndpoint"});
}
std::optional<ObjectReference> Cluster::infrastructure_ref() const {
  return get_object_as<ObjectReference>(j_, {"spec", "infrastructureRef"});
}

std::optional<std::string> Machine::cluster_name() const {
  if (auto n = get_string(j_, {"spec", "clusterName"}); n && !n->empty()) return n;
  return label(kClusterNameLabel);
}
std::optional<std::string> Machine::bootstrap_data_secret_name() const {
  return get_string(j_, {"spec", "bootstrap", "dataSecretName"});
}
std::optional<ObjectReference> Machine::infrastructure_ref() const {
  return get_object_as<ObjectReference>(j_, {"spec", "infrastructureRef"});
}
std::optional<std::string> Machine::provider_id() const {
  return get_string(j_, {"spec", "providerID"});
}

}  // namespace ferrum::model
