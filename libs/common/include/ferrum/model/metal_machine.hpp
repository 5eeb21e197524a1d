#pragma once
// MetalMachine and MetalMachineTemplate (infrastructure.cluster.x-k8s.io/v1alpha3,
// namespaced): the Cluster API infrastructure machine and its template.

#include <optional>
#include <string>
#include <vector>

#include "ferrum/model/conditions.hpp"
#include "ferrum/model/value_types.hpp"

namespace ferrum::model {

struct MetalMachineSpec {
  std::optional<std::string> provider_id;
  std::optional<ObjectReference> server_ref;
  std::optional<ObjectReference> server_class_ref;
  bool operator==(const MetalMachineSpec&) const = default;
};

void to_json(json& j, const MetalMachineSpec& v);
void from_json(const json& j, MetalMachineSpec& v);

class MetalMachine : public ConditionedObject {
 public:
  using ConditionedObject::ConditionedObject;

  MetalMachineSpec spec() const;
  std::optional<std::string> provider_id() const;
  void set_provider_id(std::string_view v);
  std::optional<ObjectReference> server_ref() const;
  void set_server_ref(const ObjectReference& ref);
  void clear_server_ref();
  std::optional<ObjectReference> server_class_ref() const;
  void set_server_class_ref(const ObjectReference& ref);

  bool ready() const { return bool_or_false({"status", "ready"}); }
  void set_ready(bool v) { set_field(j_, {"status", "ready"}, v); }
  std::vector<NodeAddress> addresses() const;
  void set_addresses(const std::vector<NodeAddress>& v);
  std::optional<std::string> failure_reason() const;
  std::optional<std::string> failure_message() const;
  // Sets both, or clears both when reason is empty.
  void set_failure(std::string_view reason, std::string_view message);
};

class MetalMachineTemplate : public Object {
 public:
  using Object::Object;
  // spec.template.spec, the MetalMachine spec stamped out for each Machine.
  MetalMachineSpec template_spec() const;
  const json* template_spec_json() const { return find_field(j_, {"spec", "template", "spec"}); }
};

}  // namespace ferrum::model
