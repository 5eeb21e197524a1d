#include "resource_catalog.hpp"

#include <algorithm>
#include <set>

namespace ferrum::apiserver {

const ResourceVersion* ResourceType::version(const std::string& v) const {
  for (const auto& rv : versions) {
    if (rv.name == v && rv.served) return &rv;
  }
  return nullptr;
}

const ResourceVersion& ResourceType::storage_version() const {
  for (const auto& rv : versions) {
    if (rv.storage) return rv;
  }
  return versions.front();
}

namespace {

ResourceType builtin(std::string group, std::string version, std::string plural,
                     std::string singular, std::string kind, bool namespaced,
                     std::vector<std::string> short_names = {}) {
  ResourceType t;
  t.group = std::move(group);
  t.plural = std::move(plural);
  t.singular = std::move(singular);
  t.kind = kind;
  t.list_kind = kind + "List";
  t.namespaced = namespaced;
  t.short_names = std::move(short_names);
  t.builtin = true;
  ResourceVersion v;
  v.name = std::move(version);
  v.storage = true;
  v.schema = nullptr;
  t.versions.push_back(std::move(v));
  return t;
}

std::vector<ResourceType> builtin_types() {
  std::vector<ResourceType> out;
  out.push_back(builtin("", "v1", "namespaces", "namespace", "Namespace", false, {"ns"}));
  out.back().versions[0].status_subresource = true;
  out.push_back(builtin("", "v1", "secrets", "secret", "Secret", true));
  out.push_back(builtin("", "v1", "configmaps", "configmap", "ConfigMap", true, {"cm"}));
  out.push_back(builtin("", "v1", "events", "event", "Event", true, {"ev"}));
  out.push_back(builtin("coordination.k8s.io", "v1", "leases", "lease", "Lease", true));
  // Nodes, so a ferrum-apiserver can stand in for a workload cluster (the reconciler's
  // ProviderSet writes spec.providerID on them).
  out.push_back(builtin("", "v1", "nodes", "node", "Node", false, {"no"}));
  out.back().versions[0].status_subresource = true;
  out.push_back(builtin("apiextensions.k8s.io", "v1", "customresourcedefinitions",
                        "customresourcedefinition", "CustomResourceDefinition", false,
                        {"crd", "crds"}));
  out.back().categories = {"api-extensions"};
  out.back().versions[0].status_subresource = true;
  return out;
}

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> strings(const json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& s : *it) {
    if (s.is_string()) out.push_back(s.get<std::string>());
  }
  return out;
}

bool valid_dns_label(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i > 0 && i + 1 < s.size());
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Expected<ResourceType, std::string> resource_from_crd(const json& crd) {
  if (!crd.is_object())
    return unexpected(std::string("a CustomResourceDefinition must be an object"));
  const json& spec = crd.contains("spec") ? crd["spec"] : json::object();
  if (!spec.is_object()) return unexpected(std::string("spec: must be an object"));
  ResourceType t;
  t.group = str(spec, "group");
  if (t.group.empty() || t.group.find('.') == std::string::npos) {
    return unexpected("spec.group: \"" + t.group +
                      "\" must be a domain name with at least one dot");
  }
  const json names = spec.value("names", json::object());
  if (!names.is_object()) return unexpected(std::string("spec.names: must be an object"));
  t.plural = str(names, "plural");
  t.singular = str(names, "singular");
  t.kind = str(names, "kind");
  t.list_kind = str(names, "listKind");
  if (!valid_dns_label(t.plural)) {
    return unexpected("spec.names.plural: \"" + t.plural + "\" must be a lower-case DNS label");
  }
  if (t.kind.empty()) return unexpected(std::string("spec.names.kind: required"));
  if (t.singular.empty()) {
    t.singular = t.kind;
    std::transform(t.singular.begin(), t.singular.end(), t.singular.begin(), ::tolower);
  }
  if (t.list_kind.empty()) t.list_kind = t.kind + "List";
  t.short_names = strings(names, "shortNames");
  t.categories = strings(names, "categories");
  std::string name = str(crd.value("metadata", json::object()), "name");
  if (name != t.plural + "." + t.group) {
    return unexpected("metadata.name: must be spec.names.plural + \".\" + spec.group (\"" +
                      t.plural + "." + t.group + "\"), got \"" + name + "\"");
  }
  std::string scope = str(spec, "scope");
  if (scope != "Namespaced" && scope != "Cluster") {
    return unexpected("spec.scope: must be Namespaced or Cluster, got \"" + scope + "\"");
  }
  t.namespaced = scope == "Namespaced";
  const json versions = spec.value("versions", json::array());
  if (!versions.is_array() || versions.empty()) {
    return unexpected(std::string("spec.versions: at least one version is required"));
  }
  int storage = 0;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < versions.size(); ++i) {
    const json& v = versions[i];
    std::string field = "spec.versions[" + std::to_string(i) + "]";
    if (!v.is_object()) return unexpected(field + ": must be an object");
    ResourceVersion rv;
    rv.name = str(v, "name");
    if (!valid_dns_label(rv.name))
      return unexpected(field + ".name: \"" + rv.name + "\" is not a valid version name");
    if (!seen.insert(rv.name).second)
      return unexpected(field + ".name: duplicate version " + rv.name);
    // CRDs come from clients: a wrong JSON type is an error naming the field, not an exception.
    for (const char* key : {"served", "storage"}) {
      if (v.contains(key) && !v[key].is_boolean()) {
        return unexpected(field + "." + key + ": must be a boolean");
      }
    }
    rv.served = v.value("served", false);
    rv.storage = v.value("storage", false);
    if (rv.storage) ++storage;
    if (v.contains("schema") && v["schema"].is_object()) {
      rv.schema = v["schema"].value("openAPIV3Schema", json());
    }
    if (v.contains("subresources") && v["subresources"].is_object()) {
      rv.status_subresource = v["subresources"].contains("status");
    }
    const json cols = v.value("additionalPrinterColumns", json::array());
    if (!cols.is_array()) return unexpected(field + ".additionalPrinterColumns: must be a list");
    for (std::size_t c = 0; c < cols.size(); ++c) {
      std::string cf = field + ".additionalPrinterColumns[" + std::to_string(c) + "]";
      if (!cols[c].is_object()) return unexpected(cf + ": must be an object");
      if (cols[c].contains("priority") && !cols[c]["priority"].is_number_integer()) {
        return unexpected(cf + ".priority: must be an integer");
      }
      PrinterColumn pc;
      pc.name = str(cols[c], "name");
      pc.type = str(cols[c], "type");
      pc.format = str(cols[c], "format");
      pc.description = str(cols[c], "description");
      pc.json_path = str(cols[c], "jsonPath");
      pc.priority = cols[c].value("priority", 0);
      if (pc.name.empty()) return unexpected(cf + ".name: required");
      if (pc.json_path.empty()) return unexpected(cf + ".jsonPath: required");
      static const std::set<std::string> types = {"string", "integer", "number", "boolean", "date"};
      if (!types.count(pc.type))
        return unexpected(cf + ".type: must be one of string, integer, number, boolean, date");
      rv.columns.push_back(std::move(pc));
    }
    t.versions.push_back(std::move(rv));
  }
  if (storage != 1) {
    return unexpected("spec.versions: exactly one version must have storage: true (found " +
                      std::to_string(storage) + ")");
  }
  return t;
}

std::shared_ptr<const Catalog> Catalog::builtins() { return with_crds({}); }

std::shared_ptr<const Catalog> Catalog::with_crds(const std::vector<json>& crds) {
  auto c = std::make_shared<Catalog>();
  c->types_ = builtin_types();
  for (const auto& crd : crds) {
    auto t = resource_from_crd(crd);
    // Stored CRDs were validated when written; one that no longer parses is skipped.
    if (t && c->find(t->group, t->plural) == nullptr) c->types_.push_back(std::move(*t));
  }
  return c;
}

const ResourceType* Catalog::find(const std::string& group, const std::string& plural) const {
  for (const auto& t : types_) {
    if (t.group == group && t.plural == plural) return &t;
  }
  return nullptr;
}

const ResourceType* Catalog::find_by_key(const std::string& key) const {
  for (const auto& t : types_) {
    if (t.key() == key) return &t;
  }
  return nullptr;
}

const ResourceType* Catalog::find_kind(const std::string& group, const std::string& kind) const {
  for (const auto& t : types_) {
    if (t.group == group && t.kind == kind) return &t;
  }
  return nullptr;
}

std::vector<std::pair<std::string, std::vector<std::string>>> Catalog::groups() const {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const auto& t : types_) {
    if (t.group.empty()) continue;
    auto it =
        std::find_if(out.begin(), out.end(), [&](const auto& g) { return g.first == t.group; });
    if (it == out.end()) {
      out.push_back({t.group, {}});
      it = out.end() - 1;
    }
    // Preferred version first: the storage version, then the others in declaration order.
    for (const auto& v : t.versions) {
      if (!v.served) continue;
      if (std::find(it->second.begin(), it->second.end(), v.name) != it->second.end()) continue;
      if (v.storage) {
        it->second.insert(it->second.begin(), v.name);
      } else {
        it->second.push_back(v.name);
      }
    }
  }
  return out;
}

}  // namespace ferrum::apiserver
