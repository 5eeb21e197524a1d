#include "openapi.hpp"

#include <openssl/evp.h>

#include <cctype>

#include "ferrum/json_text.hpp"

namespace ferrum::apiserver {

namespace {

const char* kMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.";

std::string meta_ref(const std::string& name) {
  return std::string("#/components/schemas/") + kMeta + name;
}

std::string schema_ref(const std::string& name) { return "#/components/schemas/" + name; }

// The definition name of a kind, as the real API server names them: built-ins by their Go
// package, custom resources by their reversed group ("dev.sidero.metal.v1alpha2.Server").
std::string definition_name(const ResourceType& t, const std::string& version,
                            const std::string& kind) {
  if (t.builtin) {
    if (t.group.empty()) return "io.k8s.api.core." + version + "." + kind;
    if (t.group == "apiextensions.k8s.io") {
      return "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions." + version + "." + kind;
    }
    auto dot = t.group.find('.');
    return "io.k8s.api." + t.group.substr(0, dot) + "." + version + "." + kind;
  }
  std::string reversed;
  std::string_view g = t.group;
  while (!g.empty()) {
    auto dot = g.rfind('.');
    std::string_view part = dot == std::string_view::npos ? g : g.substr(dot + 1);
    if (!reversed.empty()) reversed += '.';
    reversed += part;
    g = dot == std::string_view::npos ? std::string_view() : g.substr(0, dot);
  }
  return reversed + "." + version + "." + kind;
}

std::string pascal(std::string_view s) {
  std::string out;
  bool up = true;
  for (char c : s) {
    if (c == '.' || c == '-' || c == '/') {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return out;
}

json gvk(const std::string& group, const std::string& version, const std::string& kind) {
  return {{"group", group}, {"version", version}, {"kind", kind}};
}

json query_param(const char* name, const char* type, const char* description) {
  return {{"name", name},
          {"in", "query"},
          {"description", description},
          {"schema", {{"type", type}, {"uniqueItems", true}}}};
}

json path_param(const char* name, const char* description) {
  return {{"name", name},
          {"in", "path"},
          {"description", description},
          {"required", true},
          {"schema", {{"type", "string"}, {"uniqueItems", true}}}};
}

json write_params(bool patch) {
  json p = json::array({
      query_param("dryRun", "string",
                  "When present, indicates that modifications should not be persisted."),
      query_param("fieldManager", "string",
                  "fieldManager is a name associated with the actor or entity that is making "
                  "these changes."),
      // What kubectl looks for before it sends ?fieldValidation=Strict and leaves validation
      // to the server (kubectl's queryParamVerifierV3).
      query_param("fieldValidation", "string",
                  "fieldValidation instructs the server on how to handle objects in the request "
                  "containing unknown or duplicate fields. Valid values are: Ignore, Warn, "
                  "Strict."),
  });
  if (patch) {
    p.push_back(query_param("force", "boolean",
                            "Force is going to \"force\" Apply requests. It means user will "
                            "re-acquire conflicting fields owned by other people."));
  }
  return p;
}

json list_params() {
  return json::array({
      query_param("allowWatchBookmarks", "boolean", "Requests watch events of type BOOKMARK."),
      query_param("continue", "string", "The continue option, from a previous list."),
      query_param("fieldSelector", "string", "A selector on the objects' fields."),
      query_param("labelSelector", "string", "A selector on the objects' labels."),
      query_param("limit", "integer", "The maximum number of responses to return."),
      query_param("resourceVersion", "string", "Which resourceVersion to list or watch from."),
      query_param("resourceVersionMatch", "string", "How resourceVersion applies to a list."),
      query_param("timeoutSeconds", "integer", "Timeout for the list or watch call."),
      query_param("watch", "boolean", "Watch for changes instead of listing."),
  });
}

json delete_params() {
  return json::array({
      query_param("dryRun", "string",
                  "When present, indicates that modifications should not be persisted."),
      query_param("gracePeriodSeconds", "integer",
                  "The duration in seconds before the object should be deleted."),
      query_param("propagationPolicy", "string",
                  "Whether and how garbage collection will be performed: Orphan, Background or "
                  "Foreground."),
  });
}

json json_body(const std::string& ref) {
  return {{"required", true}, {"content", {{"application/json", {{"schema", {{"$ref", ref}}}}}}}};
}

json patch_body() {
  // No application/strategic-merge-patch+json: kubectl would then compute strategic merge
  // patches from this document, which the server does not implement (it treats them as merge
  // patches). Without it kubectl sends merge patches for custom resources, as it does to a
  // real API server.
  json schema = {{"$ref", meta_ref("Patch")}};
  return {{"required", true},
          {"content",
           {{"application/json-patch+json", {{"schema", schema}}},
            {"application/merge-patch+json", {{"schema", schema}}},
            {"application/apply-patch+yaml", {{"schema", schema}}}}}};
}

json responses(const std::string& ok_ref, const char* code = "200") {
  return {{code,
           {{"description", "OK"},
            {"content", {{"application/json", {{"schema", {{"$ref", ok_ref}}}}}}}}},
          {"401", {{"description", "Unauthorized"}}}};
}

struct OperationNames {
  std::string group_version;  // "MetalSideroDevV1alpha2", "CoreV1"
  std::string tag;
};

json operation(const std::string& id, const std::string& tag, const std::string& description,
               const char* action, const json& kind_gvk, json params, json response) {
  return {{"operationId", id},
          {"tags", json::array({tag})},
          {"description", description},
          {"parameters", std::move(params)},
          {"responses", std::move(response)},
          {"x-kubernetes-action", action},
          {"x-kubernetes-group-version-kind", kind_gvk}};
}

void add_resource_paths(json& paths, const ResourceType& t, const std::string& version,
                        const OperationNames& names) {
  const ResourceVersion* v = t.version(version);
  const std::string prefix =
      t.group.empty() ? "/api/" + version : "/apis/" + t.group + "/" + version;
  const std::string kind_ref = schema_ref(definition_name(t, version, t.kind));
  const std::string list_ref = schema_ref(definition_name(t, version, t.list_kind));
  const json kind_gvk = gvk(t.group, version, t.kind);
  const std::string ns = t.namespaced ? "Namespaced" : "";
  const std::string base = names.group_version + ns + t.kind;
  const std::string& tag = names.tag;

  const std::string collection =
      prefix + (t.namespaced ? "/namespaces/{namespace}/" : "/") + t.plural;
  const std::string item = collection + "/{name}";
  json common =
      json::array({query_param("pretty", "string", "If 'true', the output is pretty printed.")});
  json coll_params = common;
  json item_params = common;
  item_params.push_back(path_param("name", ("name of the " + t.kind).c_str()));
  if (t.namespaced) {
    json nsp =
        path_param("namespace", "object name and auth scope, such as for teams and projects");
    coll_params.push_back(nsp);
    item_params.push_back(nsp);
  }

  json coll = {{"parameters", coll_params}};
  coll["get"] = operation("list" + base, tag, "list objects of kind " + t.kind, "list", kind_gvk,
                          list_params(), responses(list_ref));
  json post = operation("create" + base, tag, "create a " + t.kind, "post", kind_gvk,
                        write_params(false), responses(kind_ref, "201"));
  post["requestBody"] = json_body(kind_ref);
  coll["post"] = std::move(post);
  coll["delete"] =
      operation("deletecollection" + base, tag, "delete collection of " + t.kind,
                "deletecollection", kind_gvk, list_params(), responses(meta_ref("Status")));
  paths[collection] = std::move(coll);

  json it = {{"parameters", item_params}};
  it["get"] = operation("read" + base, tag, "read the specified " + t.kind, "get", kind_gvk,
                        json::array(), responses(kind_ref));
  json put = operation("replace" + base, tag, "replace the specified " + t.kind, "put", kind_gvk,
                       write_params(false), responses(kind_ref));
  put["requestBody"] = json_body(kind_ref);
  it["put"] = std::move(put);
  json patch = operation("patch" + base, tag, "partially update the specified " + t.kind, "patch",
                         kind_gvk, write_params(true), responses(kind_ref));
  patch["requestBody"] = patch_body();
  it["patch"] = std::move(patch);
  json del = operation("delete" + base, tag, "delete a " + t.kind, "delete", kind_gvk,
                       delete_params(), responses(meta_ref("Status")));
  del["requestBody"] = {
      {"content", {{"application/json", {{"schema", {{"$ref", meta_ref("DeleteOptions")}}}}}}}};
  it["delete"] = std::move(del);
  paths[item] = std::move(it);

  if (v != nullptr && v->status_subresource) {
    json st = {{"parameters", item_params}};
    st["get"] = operation("read" + base + "Status", tag, "read status of the specified " + t.kind,
                          "get", kind_gvk, json::array(), responses(kind_ref));
    json sput =
        operation("replace" + base + "Status", tag, "replace status of the specified " + t.kind,
                  "put", kind_gvk, write_params(false), responses(kind_ref));
    sput["requestBody"] = json_body(kind_ref);
    st["put"] = std::move(sput);
    json spatch = operation("patch" + base + "Status", tag,
                            "partially update status of the specified " + t.kind, "patch", kind_gvk,
                            write_params(true), responses(kind_ref));
    spatch["requestBody"] = patch_body();
    st["patch"] = std::move(spatch);
    paths[item + "/status"] = std::move(st);
  }

  if (t.namespaced) {
    json all = {{"parameters", common}};
    all["get"] = operation("list" + names.group_version + t.kind + "ForAllNamespaces", tag,
                           "list objects of kind " + t.kind + " in all namespaces", "list",
                           kind_gvk, list_params(), responses(list_ref));
    paths[prefix + "/" + t.plural] = std::move(all);
  }
}

json kind_schema(const ResourceType& t, const ResourceVersion& v) {
  json s;
  if (v.schema.is_object()) {
    s = v.schema;
  } else {
    // Built-ins have no schema here; an object that keeps everything lets clients through.
    s = {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}};
  }
  if (!s.contains("type")) s["type"] = "object";
  json& props = s["properties"];
  if (!props.is_object()) props = json::object();
  props["apiVersion"] = {{"type", "string"},
                         {"description",
                          "APIVersion defines the versioned schema of this "
                          "representation of an object."}};
  props["kind"] = {{"type", "string"},
                   {"description",
                    "Kind is a string value representing the REST resource this "
                    "object represents."}};
  props["metadata"] = {{"allOf", json::array({{{"$ref", meta_ref("ObjectMeta")}}})},
                       {"description", "Standard object's metadata."}};
  s["x-kubernetes-group-version-kind"] = json::array({gvk(t.group, v.name, t.kind)});
  return s;
}

json list_schema(const ResourceType& t, const ResourceVersion& v) {
  return {{"type", "object"},
          {"description", t.list_kind + " is a list of " + t.kind},
          {"required", json::array({"items"})},
          {"properties",
           {{"apiVersion", {{"type", "string"}}},
            {"kind", {{"type", "string"}}},
            {"items",
             {{"type", "array"},
              {"items", {{"$ref", schema_ref(definition_name(t, v.name, t.kind))}}}}},
            {"metadata", {{"allOf", json::array({{{"$ref", meta_ref("ListMeta")}}})}}}}},
          {"x-kubernetes-group-version-kind", json::array({gvk(t.group, v.name, t.list_kind)})}};
}

// The meta.k8s.io/v1 types operations refer to, kept open: the server, not this document, is
// the authority on them.
void add_meta_schemas(json& schemas) {
  auto open_object = [](const char* description) {
    return json{{"type", "object"},
                {"description", description},
                {"x-kubernetes-preserve-unknown-fields", true}};
  };
  schemas[std::string(kMeta) + "ObjectMeta"] =
      open_object("ObjectMeta is metadata that all persisted resources must have.");
  schemas[std::string(kMeta) + "ListMeta"] =
      open_object("ListMeta describes metadata that synthetic resources must have.");
  schemas[std::string(kMeta) + "Status"] =
      open_object("Status is a return value for calls that don't return other objects.");
  schemas[std::string(kMeta) + "DeleteOptions"] =
      open_object("DeleteOptions may be provided when deleting an API object.");
  schemas[std::string(kMeta) + "Patch"] = {
      {"type", "object"},
      {"description",
       "Patch is provided to give a concrete name and type to the Kubernetes PATCH request "
       "body."}};
}

std::string sha512_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha512(), nullptr);
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 0xF];
  }
  return out;
}

// "api/v1" -> ("", "v1"); "apis/g/v" -> ("g", "v").
std::optional<std::pair<std::string, std::string>> split_gv_path(std::string_view p) {
  if (!p.empty() && p.front() == '/') p.remove_prefix(1);
  if (p.substr(0, 4) == "api/") {
    std::string_view v = p.substr(4);
    if (v.empty() || v.find('/') != std::string_view::npos) return std::nullopt;
    return std::make_pair(std::string(), std::string(v));
  }
  if (p.substr(0, 5) == "apis/") {
    std::string_view rest = p.substr(5);
    auto slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0) return std::nullopt;
    std::string_view v = rest.substr(slash + 1);
    if (v.empty() || v.find('/') != std::string_view::npos) return std::nullopt;
    return std::make_pair(std::string(rest.substr(0, slash)), std::string(v));
  }
  return std::nullopt;
}

}  // namespace

std::optional<nlohmann::json> openapi_v3_document(const Catalog& catalog,
                                                  const std::string& gv_path) {
  auto gv = split_gv_path(gv_path);
  if (!gv) return std::nullopt;
  const auto& [group, version] = *gv;
  OperationNames names;
  names.group_version = (group.empty() ? "Core" : pascal(group)) + pascal(version);
  names.tag = (group.empty() ? "core" : group) + "_" + version;
  json paths = json::object();
  json schemas = json::object();
  bool any = false;
  for (const auto& t : catalog.all()) {
    if (t.group != group) continue;
    const ResourceVersion* v = t.version(version);
    if (v == nullptr) continue;
    any = true;
    add_resource_paths(paths, t, version, names);
    schemas[definition_name(t, version, t.kind)] = kind_schema(t, *v);
    schemas[definition_name(t, version, t.list_kind)] = list_schema(t, *v);
  }
  if (!any) return std::nullopt;
  add_meta_schemas(schemas);
  return json{{"openapi", "3.0.0"},
              {"info", {{"title", "Kubernetes"}, {"version", "ferrum-apiserver"}}},
              {"paths", std::move(paths)},
              {"components", {{"schemas", std::move(schemas)}}}};
}

nlohmann::json openapi_v3_root(const Catalog& catalog) {
  std::vector<std::string> gvs = {"api/v1"};
  for (const auto& [group, versions] : catalog.groups()) {
    for (const auto& v : versions) gvs.push_back("apis/" + group + "/" + v);
  }
  json paths = json::object();
  for (const auto& gv : gvs) {
    auto doc = openapi_v3_document(catalog, gv);
    if (!doc) continue;
    // Clients cache documents by this URL, so the hash must change exactly when the content
    // does; SHA-512 of the serialized document, as the real API server computes its ETag.
    paths[gv] = {
        {"serverRelativeURL", "/openapi/v3/" + gv + "?hash=" + sha512_hex(json_text::dump(*doc))}};
  }
  return {{"paths", std::move(paths)}};
}

}  // namespace ferrum::apiserver
