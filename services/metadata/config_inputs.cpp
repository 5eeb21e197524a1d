#include "config_inputs.hpp"

#include "ferrum/model/kinds.hpp"
#include "ferrum/model/secret.hpp"

namespace ferrum::metadata {

std::string_view result_label(LookupResult r) {
  switch (r) {
    case LookupResult::kNotAllocated:
      return "not_allocated";
    case LookupResult::kNotFound:
      return "not_found";
    case LookupResult::kUnavailable:
      return "unavailable";
  }
  return "unknown";
}

int LookupError::http_status() const { return result == LookupResult::kUnavailable ? 503 : 404; }

namespace {

LookupError not_found(std::string msg) { return {LookupResult::kNotFound, std::move(msg)}; }

const std::string& rv_of(const kube::Json& obj) {
  static const std::string kEmpty;
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) return kEmpty;
  auto rv = m->find("resourceVersion");
  return rv != m->end() && rv->is_string() ? rv->get_ref<const std::string&>() : kEmpty;
}

std::string uid_of(const kube::Json& obj) {
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) return {};
  auto u = m->find("uid");
  return u != m->end() && u->is_string() ? u->get<std::string>() : std::string();
}

// uid as well as resourceVersion: a deleted and re-created object is a different input.
void fingerprint_part(std::string& fp, char tag, const kube::ObjectPtr& obj) {
  fp += tag;
  if (obj) {
    fp += uid_of(*obj);
    fp += '@';
    fp += rv_of(*obj);
  }
  fp += ';';
}

const kube::Json* field(const kube::Json& j, std::initializer_list<const char*> path) {
  const kube::Json* cur = &j;
  for (const char* k : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(k);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

std::string string_field(const kube::Json& j, std::initializer_list<const char*> path) {
  const auto* f = field(j, path);
  return f && f->is_string() ? f->get<std::string>() : std::string();
}

// The first ownerReference of kind Machine in the Cluster API group (any version).
std::string owner_machine(const kube::Json& obj) {
  const auto* refs = field(obj, {"metadata", "ownerReferences"});
  if (!refs || !refs->is_array()) return {};
  for (const auto& r : *refs) {
    if (!r.is_object() || r.value("kind", "") != "Machine") continue;
    std::string api_version = r.value("apiVersion", "");
    if (api_version.rfind(std::string(model::kClusterApiGroup) + "/", 0) != 0) continue;
    return r.value("name", "");
  }
  return {};
}

PatchSource patches_of(const kube::Json& obj, std::string name) {
  PatchSource p;
  p.name = std::move(name);
  if (const auto* cp = field(obj, {"spec", "configPatches"}); cp && !cp->is_null())
    p.config_patches = *cp;
  if (const auto* sp = field(obj, {"spec", "strategicPatches"}); sp && sp->is_array()) {
    for (const auto& s : *sp) {
      if (s.is_string()) p.strategic_patches.push_back(s.get<std::string>());
    }
  }
  return p;
}

}  // namespace

Expected<ConfigInputs, LookupError> lookup_inputs(const InputStores& st, const SecretFetcher& fetch,
                                                  const std::string& uuid) {
  ConfigInputs in;
  in.binding = st.bindings->get(uuid);
  if (!in.binding) {
    return unexpected(LookupError{LookupResult::kNotAllocated,
                                  "server " + uuid + " is not allocated (no ServerBinding)"});
  }
  // Fields are read in place (no model view copies): this runs on every request.
  std::string mm_name = string_field(*in.binding, {"spec", "metalMachineRef", "name"});
  std::string mm_ns = string_field(*in.binding, {"spec", "metalMachineRef", "namespace"});
  if (mm_name.empty()) {
    return unexpected(not_found("ServerBinding " + uuid + " has no spec.metalMachineRef.name"));
  }
  std::string mm_key = mm_ns.empty() ? mm_name : mm_ns + "/" + mm_name;
  in.metal_machine_key = mm_key;
  in.metal_machine = st.metal_machines->get(mm_key);
  if (!in.metal_machine) {
    return unexpected(not_found("MetalMachine " + mm_key +
                                " (spec.metalMachineRef of ServerBinding " + uuid + ") not found"));
  }
  std::string owner = owner_machine(*in.metal_machine);
  if (owner.empty()) {
    return unexpected(
        not_found("MetalMachine " + mm_key +
                  " has no owner Machine (ownerReferences); Cluster API has not adopted it yet"));
  }
  std::string ns = string_field(*in.metal_machine, {"metadata", "namespace"});
  std::string machine_key = ns + "/" + owner;
  in.machine_key = machine_key;
  in.machine = st.machines->get(machine_key);
  if (!in.machine) {
    return unexpected(
        not_found("Machine " + machine_key + " (owner of MetalMachine " + mm_key + ") not found"));
  }
  std::string secret_name = string_field(*in.machine, {"spec", "bootstrap", "dataSecretName"});
  if (secret_name.empty()) {
    return unexpected(
        not_found("Machine " + machine_key +
                  " has no spec.bootstrap.dataSecretName (bootstrap data not generated yet)"));
  }
  std::string secret_key = ns + "/" + secret_name;
  in.secret_key = secret_key;

  in.server = st.servers->get(uuid);
  if (!in.server)
    return unexpected(not_found("Server " + uuid + " not found (its ServerBinding exists)"));
  if (auto cname = string_field(*in.binding, {"spec", "serverClassRef", "name"}); !cname.empty()) {
    in.server_class = st.server_classes->get(cname);
    in.class_key = cname;
    if (!in.server_class) {
      return unexpected(not_found("ServerClass " + cname +
                                  " (spec.serverClassRef of ServerBinding " + uuid +
                                  ") not found"));
    }
  }

  if (st.bootstrap_secrets) in.secret = st.bootstrap_secrets->get(secret_key);
  if (!in.secret) {
    auto got = fetch(ns, secret_name);
    if (!got) {
      if (got.error().code == 404) {
        return unexpected(not_found("bootstrap Secret " + secret_key +
                                    " (spec.bootstrap.dataSecretName of Machine " + machine_key +
                                    ") not found"));
      }
      return unexpected(LookupError{
          LookupResult::kUnavailable,
          "cannot read bootstrap Secret " + secret_key + ": " + got.error().describe()});
    }
    in.secret = std::make_shared<const kube::Json>(std::move(*got));
    in.secret_from_api = true;
  }
  const auto* data_value = field(*in.secret, {"data", "value"});
  const auto* string_value = field(*in.secret, {"stringData", "value"});
  if (!(data_value && data_value->is_string()) && !(string_value && string_value->is_string())) {
    return unexpected(not_found("bootstrap Secret " + secret_key + " has no key \"value\""));
  }

  std::string& fp = in.fingerprint;
  fp.reserve(256);
  fingerprint_part(fp, 'b', in.binding);
  fingerprint_part(fp, 'm', in.metal_machine);
  fingerprint_part(fp, 'M', in.machine);
  fingerprint_part(fp, 's', in.server);
  fingerprint_part(fp, 'c', in.server_class);
  fingerprint_part(fp, 'S', in.secret);
  return in;
}

RenderInput ConfigInputs::render_input(std::string_view uuid,
                                       const std::optional<LinkParameters>& link) const {
  RenderInput in;
  in.uuid = std::string(uuid);
  in.server = patches_of(*server, std::string(uuid));
  if (server_class)
    in.server_class = patches_of(*server_class, string_field(*server_class, {"metadata", "name"}));
  in.link = link;
  return in;
}

std::string ConfigInputs::bootstrap_text() const {
  return model::Secret(*secret).value("value").value_or("");
}

std::string ConfigInputs::secret_identity() const {
  std::string uid = uid_of(*secret);
  const std::string& rv = rv_of(*secret);
  if (uid.empty() || rv.empty()) return {};
  return uid + "@" + rv;
}

}  // namespace ferrum::metadata
