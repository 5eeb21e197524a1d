#pragma once
// corev1.ObjectReference and metav1.OwnerReference as plain values. Empty strings stand for
// absent fields, as in Go; to_json omits them the way the Go types' `omitempty` tags do.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace ferrum::model {

struct ObjectReference {
  std::string kind;
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string api_version;
  std::string resource_version;
  std::string field_path;

  bool operator==(const ObjectReference&) const = default;
};

void to_json(nlohmann::json& j, const ObjectReference& r);
// Tolerant: fields of the wrong type are left empty.
void from_json(const nlohmann::json& j, ObjectReference& r);

struct OwnerReference {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
  std::optional<bool> controller;
  std::optional<bool> block_owner_deletion;

  bool is_controller() const { return controller.value_or(false); }
  bool operator==(const OwnerReference&) const = default;
};

void to_json(nlohmann::json& j, const OwnerReference& r);
void from_json(const nlohmann::json& j, OwnerReference& r);

}  // namespace ferrum::model
