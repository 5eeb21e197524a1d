#pragma once
// Which Kubernetes resource a call is about, and the REST paths and cache keys derived from it.
//
// Contract: paths follow the Kubernetes REST layout: the core group ("" group) lives under
// /api/v1, every other group under /apis/<group>/<version>; namespaced resources get
// /namespaces/<ns> when a namespace is given (none means across all namespaces, for list and
// watch). Object keys are "ns/name" for namespaced objects and "name" otherwise, as
// client-go's MetaNamespaceKeyFunc.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

namespace ferrum::kube {

struct ResourceId {
  std::string group;    // "" for the core group
  std::string version;  // "v1", "v1alpha2"
  std::string plural;   // "secrets", "servers"
  bool namespaced = true;

  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  // "/api/v1" or "/apis/<group>/<version>"
  std::string group_version_path() const;
  // The collection: .../namespaces/<ns>/<plural>, or .../<plural> (cluster-scoped, or all
  // namespaces when `ns` is empty).
  std::string collection_path(std::string_view ns = {}) const;
  // One object, optionally a subresource: .../<plural>/<name>[/<subresource>].
  std::string object_path(std::string_view ns, std::string_view name,
                          std::string_view subresource = {}) const;

  friend bool operator==(const ResourceId&, const ResourceId&) = default;
};

// Well-known resources the client itself uses.
namespace resources {
ResourceId leases();
ResourceId events();
ResourceId secrets();
ResourceId config_maps();
ResourceId namespaces();
}  // namespace resources

// "ns/name" or "name".
std::string object_key(std::string_view ns, std::string_view name);
// The key of an object from its metadata.
std::string object_key(const nlohmann::json& obj);
// Splits a key back into {namespace, name} ({"", name} without a slash).
std::pair<std::string, std::string> split_key(std::string_view key);

// metadata.name / metadata.namespace / metadata.resourceVersion, empty when absent.
std::string name_of(const nlohmann::json& obj);
std::string namespace_of(const nlohmann::json& obj);
std::string resource_version_of(const nlohmann::json& obj);

// Percent-encodes a path segment or query value (RFC 3986 unreserved characters stay).
std::string url_encode(std::string_view s);

}  // namespace ferrum::kube
