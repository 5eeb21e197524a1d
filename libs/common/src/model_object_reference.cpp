#include "ferrum/model/object_reference.hpp"

namespace ferrum::model {
namespace {

void put_if_set(nlohmann::json& j, const char* key, const std::string& v) {
  if (!v.empty()) j[key] = v;
}

std::string read(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

std::optional<bool> read_bool(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_boolean()) return std::nullopt;
  return it->get<bool>();
}

}  // namespace

void to_json(nlohmann::json& j, const ObjectReference& r) {
  j = nlohmann::json::object();
  put_if_set(j, "kind", r.kind);
  put_if_set(j, "namespace", r.namespace_);
  put_if_set(j, "name", r.name);
  put_if_set(j, "uid", r.uid);
  put_if_set(j, "apiVersion", r.api_version);
  put_if_set(j, "resourceVersion", r.resource_version);
  put_if_set(j, "fieldPath", r.field_path);
}

void from_json(const nlohmann::json& j, ObjectReference& r) {
  r = {};
  if (!j.is_object()) return;
  r.kind = read(j, "kind");
  r.namespace_ = read(j, "namespace");
  r.name = read(j, "name");
  r.uid = read(j, "uid");
  r.api_version = read(j, "apiVersion");
  r.resource_version = read(j, "resourceVersion");
  r.field_path = read(j, "fieldPath");
}

void to_json(nlohmann::json& j, const OwnerReference& r) {
  // apiVersion, kind, name and uid are required in metav1.OwnerReference: always written.
  j = nlohmann::json{
      {"apiVersion", r.api_version}, {"kind", r.kind}, {"name", r.name}, {"uid", r.uid}};
  if (r.controller) j["controller"] = *r.controller;
  if (r.block_owner_deletion) j["blockOwnerDeletion"] = *r.block_owner_deletion;
}

void from_json(const nlohmann::json& j, OwnerReference& r) {
  r = {};
  if (!j.is_object()) return;
  r.api_version = read(j, "apiVersion");
  r.kind = read(j, "kind");
  r.name = read(j, "name");
  r.uid = read(j, "uid");
  r.controller = read_bool(j, "controller");
  r.block_owner_deletion = read_bool(j, "blockOwnerDeletion");
}

}  // namespace ferrum::model
