#include "write_strategy.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "ferrum/base64.hpp"
#include "schema_validator.hpp"

namespace ferrum::apiserver {

using json = nlohmann::json;

std::string rfc3339_now() {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

json crd_status(const json& crd, const json* current) {
  std::string storage;
  for (const auto& v : crd["spec"].value("versions", json::array())) {
    if (v.value("storage", false)) storage = v.value("name", "");
  }
  if (current && current->contains("status") && (*current)["status"].contains("conditions")) {
    json st = (*current)["status"];
    st["acceptedNames"] = crd["spec"]["names"];
    auto& stored = st["storedVersions"];
    if (!stored.is_array()) stored = json::array();
    if (std::find(stored.begin(), stored.end(), storage) == stored.end()) stored.push_back(storage);
    return st;
  }
  return {{"conditions",
           {{{"type", "NamesAccepted"},
             {"status", "True"},
             {"reason", "NoConflicts"},
             {"message", "no conflicts found"},
             {"lastTransitionTime", rfc3339_now()}},
            {{"type", "Established"},
             {"status", "True"},
             {"reason", "InitialNamesAccepted"},
             {"message", "the initial names have been accepted"},
             {"lastTransitionTime", rfc3339_now()}}}},
          {"acceptedNames", crd["spec"]["names"]},
          {"storedVersions", json::array({storage})}};
}

namespace {

const json& metadata_of(const json& obj) {
  static const json empty = json::object();
  auto it = obj.find("metadata");
  return it != obj.end() && it->is_object() ? *it : empty;
}

std::string name_of(const json& obj) { return metadata_of(obj).value("name", ""); }

void copy_or_erase(json& to, const json& from, const char* key) {
  if (from.contains(key)) {
    to[key] = from[key];
  } else {
    to.erase(key);
  }
}

}  // namespace

// ---- every kind (rest.BeforeCreate / rest.BeforeUpdate and ObjectMeta validation) ----

std::optional<ApiError> WriteStrategy::decode(WriteContext&, json&) const { return std::nullopt; }

void WriteStrategy::prepare_for_create(WriteContext& ctx, json& obj) const {
  json& md = obj["metadata"];
  for (const char* f : {"resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds",
                        "managedFields", "selfLink"}) {
    md.erase(f);
  }
  // Behind a status subresource, status is written only through /status.
  if (ctx.version->status_subresource) obj.erase("status");
}

void WriteStrategy::prepare_for_update(WriteContext& ctx, json& obj, const json& old) const {
  if (is_status_write(ctx.kind)) {
    // /status changes status only: everything else stays as stored.
    json next = old;
    copy_or_erase(next, obj, "status");
    obj = std::move(next);
    return;
  }
  json& md = obj["metadata"];
  const json& omd = metadata_of(old);
  // Never changed by an update (rest.BeforeUpdate): creation and deletion stamps, generation.
  for (const char* f :
       {"creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"}) {
    copy_or_erase(md, omd, f);
  }
  // An update that does not name them keeps them; one that changes them is refused by
  // validate_update (immutable).
  for (const char* f : {"uid", "name", "namespace"}) {
    if (md.value(f, "").empty()) copy_or_erase(md, omd, f);
  }
  md.erase("managedFields");
  if (ctx.version->status_subresource) copy_or_erase(obj, old, "status");
}

FieldErrors WriteStrategy::validate(WriteContext& ctx, const json& obj) const {
  FieldErrors out = validate_object_meta(metadata_of(obj), ctx.type->namespaced, name_rule());
  check_kind(ctx, obj, nullptr, out);
  return out;
}

void WriteStrategy::check_kind(WriteContext&, const json&, const json*, FieldErrors&) const {}

FieldErrors WriteStrategy::validate_update(WriteContext& ctx, const json& obj,
                                           const json& old) const {
  const json& md = metadata_of(obj);
  const json& omd = metadata_of(old);
  FieldErrors out = validate_object_meta_update(md, omd, ctx.type->namespaced, name_rule());
  if (md.contains("deletionTimestamp") && md.contains("finalizers") &&
      md["finalizers"].is_array()) {
    const json old_finalizers = omd.value("finalizers", json::array());
    for (const auto& f : md["finalizers"]) {
      if (std::find(old_finalizers.begin(), old_finalizers.end(), f) == old_finalizers.end()) {
        out.push_back(FieldError::forbidden(
            "metadata.finalizers",
            "no new finalizers can be added if the object is being deleted, found new finalizers " +
                f.dump()));
        break;
      }
    }
  }
  check_kind(ctx, obj, &old, out);
  return out;
}

namespace {

// ---- core/v1 Secret and ConfigMap (pkg/apis/core/validation: ValidateSecret, ValidateConfigMap
// and their Update forms; pkg/apis/core/v1/defaults.go SetDefaults_Secret) ----

// Keys of a data map are config keys; returns their total size.
std::size_t check_keys(const json& obj, const char* field, FieldErrors& out) {
  std::size_t total = 0;
  auto it = obj.find(field);
  if (it == obj.end() || !it->is_object()) return 0;
  for (const auto& [k, v] : it->items()) {
    for (const auto& m : config_map_key_errors(k))
      out.push_back(FieldError::invalid(std::string(field) + "[" + k + "]", k, m));
    total += v.is_string() ? v.get_ref<const std::string&>().size() : 0;
  }
  return total;
}

// `immutable: true` freezes the data and itself (ValidateSecretUpdate/ValidateConfigMapUpdate).
void check_immutable(const json& obj, const json& old, std::initializer_list<const char*> frozen,
                     FieldErrors& out) {
  if (!old.value("immutable", false)) return;
  const char* why = "field is immutable when `immutable` is set";
  if (!obj.value("immutable", false)) out.push_back(FieldError::forbidden("immutable", why));
  for (const char* f : frozen) {
    json a = obj.contains(f) ? obj[f] : json();
    json b = old.contains(f) ? old[f] : json();
    if (a != b) out.push_back(FieldError::forbidden(f, why));
  }
}

class SecretStrategy final : public WriteStrategy {
 public:
  std::optional<ApiError> decode(WriteContext&, json& obj) const override {
    FieldErrors errs;
    if (obj.contains("data") && !obj["data"].is_null()) {
      if (!obj["data"].is_object()) {
        errs.push_back(FieldError::invalid("data", obj["data"], "must be a map of base64 strings"));
      } else {
        for (const auto& [k, v] : obj["data"].items()) {
          if (!v.is_string() || !base64::decode(v.get<std::string>())) {
            errs.push_back(FieldError::invalid("data[" + k + "]", "<value omitted>",
                                               "must be base64-encoded"));
          }
        }
      }
    }
    // stringData is write-only: merged into data (base64) and dropped, as the v1 conversion does.
    if (obj.contains("stringData")) {
      if (!obj["stringData"].is_object()) {
        errs.push_back(
            FieldError::invalid("stringData", obj["stringData"], "must be a map of strings"));
      } else {
        for (const auto& [k, v] : obj["stringData"].items()) {
          if (!v.is_string()) {
            errs.push_back(FieldError::invalid("stringData[" + k + "]", "<value omitted>",
                                               "must be a string"));
            continue;
          }
          obj["data"][k] = base64::encode(v.get<std::string>());
        }
        obj.erase("stringData");
      }
    }
    if (!errs.empty()) return invalid_status("", "Secret", name_of(obj), errs);
    if (!obj.contains("type") || obj["type"] == "") obj["type"] = "Opaque";
    return std::nullopt;
  }

 protected:
  void check_kind(WriteContext&, const json& obj, const json* old,
                  FieldErrors& out) const override {
    // The limit is on decoded bytes; base64 is 4/3 of them.
    std::size_t total = check_keys(obj, "data", out) / 4 * 3;
    if (total > kMaxDataSize) out.push_back(FieldError::too_long("data", kMaxDataSize));
    if (!old) return;
    if (obj.value("type", json()) != old->value("type", json())) {
      out.push_back(FieldError::invalid("type", obj.value("type", json()), kFieldImmutable));
    }
    check_immutable(obj, *old, {"data"}, out);
  }
};

class ConfigMapStrategy final : public WriteStrategy {
 protected:
  void check_kind(WriteContext&, const json& obj, const json* old,
                  FieldErrors& out) const override {
    if (old) check_immutable(obj, *old, {"data", "binaryData"}, out);
    for (const char* f : {"data", "binaryData"}) {
      if (obj.contains(f) && !obj[f].is_null() && !obj[f].is_object()) {
        out.push_back(FieldError::invalid(f, obj[f], "must be a map of strings"));
        return;
      }
    }
    std::size_t total = check_keys(obj, "data", out) + check_keys(obj, "binaryData", out) / 4 * 3;
    if (obj.contains("data") && obj["data"].is_object() && obj.contains("binaryData") &&
        obj["binaryData"].is_object()) {
      for (const auto& [k, v] : obj["data"].items()) {
        if (obj["binaryData"].contains(k))
          out.push_back(
              FieldError::invalid("data[" + k + "]", k, "duplicate of key present in binaryData"));
      }
    }
    if (total > kMaxDataSize) out.push_back(FieldError::too_long("", kMaxDataSize));
  }
};

// ---- core/v1 Namespace (pkg/registry/core/namespace/strategy.go; SetDefaults_Namespace) ----
class NamespaceStrategy final : public WriteStrategy {
 public:
  NameRule name_rule() const override { return NameRule::kDnsLabel; }
  std::optional<ApiError> decode(WriteContext&, json& obj) const override {
    // Every namespace carries its name as an immutable label (since Kubernetes 1.21).
    std::string name = name_of(obj);
    if (!name.empty()) obj["metadata"]["labels"]["kubernetes.io/metadata.name"] = name;
    return std::nullopt;
  }
  void prepare_for_create(WriteContext& ctx, json& obj) const override {
    WriteStrategy::prepare_for_create(ctx, obj);
    if (!obj.contains("spec") || !obj["spec"].is_object()) obj["spec"] = json::object();
    if (!obj["spec"].contains("finalizers"))
      obj["spec"]["finalizers"] = json::array({"kubernetes"});
    obj["status"] = {{"phase", "Active"}};
  }
};

// ---- core/v1 Event (pkg/apis/core/validation/events.go legacyValidateEvent) ----
class EventStrategy final : public WriteStrategy {
 protected:
  void check_kind(WriteContext&, const json& obj, const json*, FieldErrors& out) const override {
    std::string ns = metadata_of(obj).value("namespace", "");
    const json involved = obj.value("involvedObject", json::object());
    std::string ins = involved.is_object() ? involved.value("namespace", "") : "";
    bool event_time = obj.contains("eventTime") && !obj["eventTime"].is_null();
    bool ok = event_time ? !ins.empty() || ns == "default" || ns == "kube-system"
                         : (ins.empty() ? ns.empty() || ns == "default" : ins == ns);
    if (!ok)
      out.push_back(
          FieldError::invalid("involvedObject.namespace", ins, "does not match event.namespace"));
  }
};

// ---- coordination.k8s.io/v1 Lease (pkg/apis/coordination/validation ValidateLeaseSpec) ----
class LeaseStrategy final : public WriteStrategy {
 protected:
  void check_kind(WriteContext&, const json& obj, const json*, FieldErrors& out) const override {
    const json spec = obj.value("spec", json::object());
    if (!spec.is_object()) return;
    if (auto d = spec.find("leaseDurationSeconds");
        d != spec.end() && !d->is_null() && (!d->is_number_integer() || d->get<long long>() <= 0)) {
      out.push_back(FieldError::invalid("spec.leaseDurationSeconds", *d, "must be greater than 0"));
    }
    if (auto t = spec.find("leaseTransitions");
        t != spec.end() && !t->is_null() && (!t->is_number_integer() || t->get<long long>() < 0)) {
      out.push_back(
          FieldError::invalid("spec.leaseTransitions", *t, "must be greater than or equal to 0"));
    }
  }
};

// ---- apiextensions.k8s.io/v1 CustomResourceDefinition (apiextensions-apiserver
// pkg/registry/customresourcedefinition/strategy.go; status kept by the server) ----
class CrdStrategy final : public WriteStrategy {
 public:
  void prepare_for_create(WriteContext& ctx, json& obj) const override {
    WriteStrategy::prepare_for_create(ctx, obj);
    if (obj.contains("spec") && obj["spec"].is_object()) obj["status"] = crd_status(obj, nullptr);
  }
  void prepare_for_update(WriteContext& ctx, json& obj, const json& old) const override {
    WriteStrategy::prepare_for_update(ctx, obj, old);
    if (!is_status_write(ctx.kind) && obj.contains("spec") && obj["spec"].is_object())
      obj["status"] = crd_status(obj, &old);
  }

 protected:
  void check_kind(WriteContext&, const json& obj, const json*, FieldErrors& out) const override {
    auto t = resource_from_crd(obj);
    if (t) return;
    // resource_from_crd says "<field>: <problem>".
    const std::string& e = t.error();
    auto colon = e.find(": ");
    if (colon == std::string::npos) {
      out.push_back({"FieldValueInvalid", "spec", e});
    } else {
      out.push_back({"FieldValueInvalid", e.substr(0, colon), e.substr(colon + 2)});
    }
  }
};

// ---- custom resources (apiextensions-apiserver pkg/registry/customresource/strategy.go and
// the schema-driven decoding of its crd handler: pruning, fieldValidation) ----
class CustomResourceStrategy final : public WriteStrategy {
 public:
  std::optional<ApiError> decode(WriteContext& ctx, json& obj) const override {
    const json& schema = ctx.version->schema;
    if (schema.is_null()) return std::nullopt;
    std::vector<std::string> unknown;
    for (const auto& p : validate_against_schema(schema, obj)) {
      if (p.unknown_field) unknown.push_back(p.field);
    }
    if (unknown.empty()) return std::nullopt;
    if (ctx.field_validation == "Strict") {
      std::string msg = "strict decoding error: ";
      for (std::size_t i = 0; i < unknown.size(); ++i)
        msg += (i ? ", " : "") + std::string("unknown field \"") + unknown[i] + "\"";
      return ApiError::bad_request(msg);
    }
    if (ctx.field_validation != "Ignore") {
      for (const auto& u : unknown) ctx.warnings.push_back("unknown field \"" + u + "\"");
    }
    // As Kubernetes does for custom resources: fields the schema does not declare are dropped.
    prune_to_schema(schema, obj);
    return std::nullopt;
  }

 protected:
  void check_kind(WriteContext& ctx, const json& obj, const json*,
                  FieldErrors& out) const override {
    if (ctx.version->schema.is_null()) return;
    for (const auto& p : validate_against_schema(ctx.version->schema, obj)) {
      if (p.unknown_field) continue;
      std::string type = p.message.starts_with("Required value")      ? "FieldValueRequired"
                         : p.message.starts_with("Unsupported value") ? "FieldValueNotSupported"
                                                                      : "FieldValueInvalid";
      out.push_back({type, p.field, p.message});
    }
  }
};

}  // namespace

const WriteStrategy& strategy_for(const ResourceType& type) {
  static const WriteStrategy plain;  // Node: ObjectMeta rules only
  static const SecretStrategy secret;
  static const ConfigMapStrategy config_map;
  static const NamespaceStrategy ns;
  static const EventStrategy event;
  static const LeaseStrategy lease;
  static const CrdStrategy crd;
  static const CustomResourceStrategy custom;
  if (!type.builtin) return custom;
  if (type.group.empty()) {
    if (type.plural == "secrets") return secret;
    if (type.plural == "configmaps") return config_map;
    if (type.plural == "namespaces") return ns;
    if (type.plural == "events") return event;
    return plain;
  }
  if (type.group == "coordination.k8s.io" && type.plural == "leases") return lease;
  if (type.group == "apiextensions.k8s.io" && type.plural == "customresourcedefinitions")
    return crd;
  return plain;
}

}  // namespace ferrum::apiserver
