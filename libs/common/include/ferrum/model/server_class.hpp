#pragma once
// ServerClass (metal.sidero.dev/v1alpha2, cluster-scoped): a typed view over the full JSON.
// Matching Servers against a class lives in server_class_match.hpp.

#include <optional>
#include <string>
#include <vector>

#include "ferrum/model/hardware.hpp"
#include "ferrum/model/object.hpp"
#include "ferrum/model/value_types.hpp"

namespace ferrum::model {

class ServerClass : public Object {
 public:
  using Object::Object;
  static ServerClass make(std::string_view name);

  std::optional<ObjectReference> environment_ref() const;
  void set_environment_ref(const ObjectReference& ref);
  void clear_environment_ref();

  // spec.qualifiers.hardware[] as stored (for matching) and as values.
  const json* hardware_qualifiers_json() const;
  std::vector<HardwareInformation> hardware_qualifiers() const;
  void set_hardware_qualifiers(const std::vector<HardwareInformation>& v);
  // spec.qualifiers.labelSelectors[]: a list of label maps.
  std::vector<Labels> label_selector_qualifiers() const;
  void set_label_selector_qualifiers(const std::vector<Labels>& v);
  // spec.selector (metav1.LabelSelector) as stored; nullptr when absent.
  const json* selector_json() const { return find_field(j_, {"spec", "selector"}); }
  void set_selector(const json& selector) { set_field(j_, {"spec", "selector"}, selector); }

  std::vector<ConfigPatch> config_patches() const;
  void set_config_patches(const std::vector<ConfigPatch>& v);
  std::vector<std::string> strategic_patches() const;
  void set_strategic_patches(const std::vector<std::string>& v);
  std::optional<std::string> boot_from_disk_method() const;
  void set_boot_from_disk_method(std::string_view v);

  std::vector<std::string> servers_available() const;
  std::vector<std::string> servers_in_use() const;
  // Both lists are always written (Sidero's status has no omitempty on them).
  void set_servers_available(const std::vector<std::string>& v);
  void set_servers_in_use(const std::vector<std::string>& v);
};

}  // namespace ferrum::model
