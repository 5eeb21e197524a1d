#pragma once
// Object: any Kubernetes object held as its complete JSON document, with typed accessors for
// the common metadata. Because the whole document is kept, fields Ferrum does not model
// survive a read-modify-write.
// Contract: getters never throw and return nullopt/empty for missing or mistyped fields;
// setters create parents as needed; remove/clear really delete the key, and list-valued
// metadata (labels, annotations, finalizers, ownerReferences) is deleted once it is empty.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferrum/model/json_fields.hpp"
#include "ferrum/model/labels.hpp"
#include "ferrum/model/object_reference.hpp"
#include "ferrum/model/time.hpp"

namespace ferrum::model {

class Object {
 public:
  Object() : j_(json::object()) {}
  explicit Object(json j) : j_(std::move(j)) {}

  const json& raw() const { return j_; }
  json& raw() { return j_; }
  json release() && { return std::move(j_); }

  std::string api_version() const;
  void set_api_version(std::string_view v);
  std::string kind() const;
  void set_kind(std::string_view v);

  std::string name() const;
  void set_name(std::string_view v);
  std::string namespace_() const;
  void set_namespace(std::string_view v);
  std::string uid() const;
  void set_uid(std::string_view v);
  std::string resource_version() const;
  void set_resource_version(std::string_view v);
  void clear_resource_version();
  std::optional<std::int64_t> generation() const;
  void set_generation(std::int64_t g);

  Labels labels() const;
  std::optional<std::string> label(std::string_view key) const;
  void set_label(std::string_view key, std::string_view value);
  bool remove_label(std::string_view key);

  Labels annotations() const;
  std::optional<std::string> annotation(std::string_view key) const;
  void set_annotation(std::string_view key, std::string_view value);
  bool remove_annotation(std::string_view key);

  std::vector<std::string> finalizers() const;
  bool has_finalizer(std::string_view f) const;
  // Both return whether the object changed.
  bool add_finalizer(std::string_view f);
  bool remove_finalizer(std::string_view f);

  std::vector<OwnerReference> owner_references() const;
  // Owner references are keyed by uid: an existing entry with the same uid is replaced.
  // Returns whether the object changed.
  bool add_owner_reference(const OwnerReference& ref);
  bool remove_owner_reference(std::string_view uid);
  std::optional<OwnerReference> controller_owner() const;
  bool is_owned_by(std::string_view uid) const;
  // The first owner of the given kind whose apiVersion is in `group` (any version).
  std::optional<OwnerReference> owner_of_kind(std::string_view group, std::string_view kind) const;

  std::optional<Timestamp> creation_timestamp() const;
  void set_creation_timestamp(Timestamp t);
  std::optional<Timestamp> deletion_timestamp() const;
  void set_deletion_timestamp(Timestamp t);
  bool is_being_deleted() const { return find_field(j_, {"metadata", "deletionTimestamp"}); }

  bool operator==(const Object& other) const { return j_ == other.j_; }

 protected:
  std::string string_or_empty(FieldPath path) const { return get_string(j_, path).value_or(""); }
  bool bool_or_false(FieldPath path) const { return get_bool(j_, path).value_or(false); }
  void set_or_erase_string(FieldPath path, const std::optional<std::string>& v);
  bool remove_map_entry(FieldPath map_path, std::string_view key);

  json j_;
};

}  // namespace ferrum::model
