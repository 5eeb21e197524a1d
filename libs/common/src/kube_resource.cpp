#include "ferrum/kube/resource.hpp"

namespace ferrum::kube {

std::string ResourceId::group_version_path() const {
  return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
}

std::string ResourceId::collection_path(std::string_view ns) const {
  std::string p = group_version_path();
  if (namespaced && !ns.empty()) {
    p += "/namespaces/";
    p += url_encode(ns);
  }
  p += "/";
  p += plural;
  return p;
}

std::string ResourceId::object_path(std::string_view ns, std::string_view name,
                                    std::string_view subresource) const {
  std::string p = collection_path(ns);
  p += "/";
  p += url_encode(name);
  if (!subresource.empty()) {
    p += "/";
    p += subresource;
  }
  return p;
}

namespace resources {
ResourceId leases() { return {"coordination.k8s.io", "v1", "leases", true}; }
ResourceId events() { return {"", "v1", "events", true}; }
ResourceId secrets() { return {"", "v1", "secrets", true}; }
ResourceId config_maps() { return {"", "v1", "configmaps", true}; }
ResourceId namespaces() { return {"", "v1", "namespaces", false}; }
}  // namespace resources

std::string object_key(std::string_view ns, std::string_view name) {
  if (ns.empty()) return std::string(name);
  std::string k(ns);
  k += "/";
  k += name;
  return k;
}

namespace {
std::string meta_string(const nlohmann::json& obj, const char* field) {
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) return {};
  auto f = m->find(field);
  if (f == m->end() || !f->is_string()) return {};
  return f->get<std::string>();
}
}  // namespace

std::string object_key(const nlohmann::json& obj) {
  return object_key(namespace_of(obj), name_of(obj));
}

std::pair<std::string, std::string> split_key(std::string_view key) {
  auto slash = key.find('/');
  if (slash == std::string_view::npos) return {"", std::string(key)};
  return {std::string(key.substr(0, slash)), std::string(key.substr(slash + 1))};
}

std::string name_of(const nlohmann::json& obj) { return meta_string(obj, "name"); }
std::string namespace_of(const nlohmann::json& obj) { return meta_string(obj, "namespace"); }
std::string resource_version_of(const nlohmann::json& obj) {
  return meta_string(obj, "resourceVersion");
}

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace ferrum::kube
