#pragma once
// ServerBinding (infrastructure.cluster.x-k8s.io/v1alpha3, cluster-scoped, named by the
// bound Server's UUID): which MetalMachine owns which Server, plus SideroLink state.

#include <optional>
#include <string>
#include <vector>

#include "ferrum/model/conditions.hpp"

namespace ferrum::model {

struct SideroLink {
  std::string address;     // node's tunnel address (IPv6 with prefix)
  std::string public_key;  // node's WireGuard public key
  bool operator==(const SideroLink&) const = default;
};

void to_json(json& j, const SideroLink& v);
void from_json(const json& j, SideroLink& v);

class ServerBinding : public ConditionedObject {
 public:
  using ConditionedObject::ConditionedObject;
  static ServerBinding make(std::string_view server_uuid);

  std::optional<ObjectReference> server_class_ref() const;
  void set_server_class_ref(const ObjectReference& ref);
  ObjectReference metal_machine_ref() const;
  void set_metal_machine_ref(const ObjectReference& ref);
  std::optional<SideroLink> siderolink() const;
  void set_siderolink(const SideroLink& v);
  std::vector<std::string> addresses() const;
  void set_addresses(const std::vector<std::string>& v);
  std::optional<std::string> hostname() const;
  void set_hostname(std::string_view v);

  bool ready() const { return bool_or_false({"status", "ready"}); }
  void set_ready(bool v) { set_field(j_, {"status", "ready"}, v); }
};

}  // namespace ferrum::model
