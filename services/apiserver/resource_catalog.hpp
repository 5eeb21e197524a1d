#pragma once
// The resources ferrum-apiserver serves: the built-in ones (core/v1 Namespaces, Secrets,
// ConfigMaps, Events; coordination.k8s.io/v1 Leases; apiextensions.k8s.io/v1
// CustomResourceDefinitions) and every resource an established CRD defines.
//
// Contract: the catalog is a snapshot (shared_ptr<const Catalog>) replaced whole when a CRD
// changes, so request handlers read it without locks. Resources are keyed by group+plural;
// each has the versions it is served in, one storage version, and per version the schema
// and printer columns.

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ferrum/expected.hpp"

namespace ferrum::apiserver {

using json = nlohmann::json;

struct PrinterColumn {
  std::string name;
  std::string type;  // string, integer, number, boolean, date
  std::string format;
  std::string description;
  std::string json_path;
  int priority = 0;
};

struct ResourceVersion {
  std::string name;  // v1alpha2
  bool served = true;
  bool storage = false;
  json schema;  // openAPIV3Schema; null when the resource has none (built-ins)
  std::vector<PrinterColumn> columns;
  bool status_subresource = false;
};

struct ResourceType {
  std::string group;  // "" for core
  std::string plural;
  std::string singular;
  std::string kind;
  std::string list_kind;
  bool namespaced = false;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  std::vector<ResourceVersion> versions;
  bool builtin = false;

  // "metal.sidero.dev/servers", "/secrets": the storage key of the resource.
  std::string key() const { return group + "/" + plural; }
  // "servers.metal.sidero.dev", "secrets": how errors name it.
  std::string qualified() const { return group.empty() ? plural : plural + "." + group; }
  const ResourceVersion* version(const std::string& v) const;
  const ResourceVersion& storage_version() const;
  std::string api_version(const std::string& v) const { return group.empty() ? v : group + "/" + v; }
};

class Catalog {
 public:
  // The built-in resources only.
  static std::shared_ptr<const Catalog> builtins();
  // A new catalog: the built-ins plus the resources of these (established) CRDs.
  static std::shared_ptr<const Catalog> with_crds(const std::vector<json>& crds);

  const ResourceType* find(const std::string& group, const std::string& plural) const;
  const ResourceType* find_by_key(const std::string& key) const;
  const ResourceType* find_kind(const std::string& group, const std::string& kind) const;
  const std::vector<ResourceType>& all() const { return types_; }
  // Groups in discovery order (core "" excluded), each with its served versions, preferred first.
  std::vector<std::pair<std::string, std::vector<std::string>>> groups() const;

 private:
  std::vector<ResourceType> types_;
};

// Checks a CRD (apiextensions.k8s.io/v1) and turns it into a ResourceType; the error names
// the bad field (spec.names.plural, spec.versions[1].storage, ...).
Expected<ResourceType, std::string> resource_from_crd(const json& crd);

}  // namespace ferrum::apiserver
