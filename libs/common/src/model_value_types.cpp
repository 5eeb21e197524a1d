#include "ferrum/model/json_fields.hpp"
#include "ferrum/model/value_types.hpp"

namespace ferrum::model {
namespace {

void put(json& j, const char* key, const std::string& v) {
  if (!v.empty()) j[key] = v;
}
std::string str(const json& j, std::string_view key) { return get_string(j, {key}).value_or(""); }

}  // namespace

void to_json(json& j, const ConfigPatch& v) {
  j = json{{"op", v.op}, {"path", v.path}};
  if (v.value) j["value"] = *v.value;
}
void from_json(const json& j, ConfigPatch& v) {
  v = {};
  if (!j.is_object()) return;
  v.op = str(j, "op");
  v.path = str(j, "path");
  if (auto it = j.find("value"); it != j.end()) v.value = *it;
}

void to_json(json& j, const NodeAddress& v) { j = json{{"type", v.type}, {"address", v.address}}; }
void from_json(const json& j, NodeAddress& v) {
  v = {};
  if (!j.is_object()) return;
  v.type = str(j, "type");
  v.address = str(j, "address");
}

void to_json(json& j, const SecretKeyRef& v) {
  // All three are required (no omitempty) in Sidero's SecretKeyRef.
  j = json{{"namespace", v.namespace_}, {"name", v.name}, {"key", v.key}};
}
void from_json(const json& j, SecretKeyRef& v) {
  v = {};
  if (!j.is_object()) return;
  v.namespace_ = str(j, "namespace");
  v.name = str(j, "name");
  v.key = str(j, "key");
}

void to_json(json& j, const CredentialSource& v) {
  j = json::object();
  if (v.secret_key_ref) j["secretKeyRef"] = *v.secret_key_ref;
}
void from_json(const json& j, CredentialSource& v) {
  v = {};
  if (!j.is_object()) return;
  if (auto it = j.find("secretKeyRef"); it != j.end() && it->is_object()) {
    v.secret_key_ref = it->get<SecretKeyRef>();
  }
}

void to_json(json& j, const Bmc& v) {
  j = json{{"endpoint", v.endpoint}};
  if (v.port != 0) j["port"] = v.port;
  put(j, "user", v.user);
  if (v.user_from) j["userFrom"] = *v.user_from;
  put(j, "pass", v.pass);
  if (v.pass_from) j["passFrom"] = *v.pass_from;
  put(j, "interface", v.interface);
}
void from_json(const json& j, Bmc& v) {
  v = {};
  if (!j.is_object()) return;
  v.endpoint = str(j, "endpoint");
  if (auto p = get_int(j, {"port"}); p && *p > 0 && *p <= 65535) {
    v.port = static_cast<std::uint32_t>(*p);
  }
  v.user = str(j, "user");
  v.pass = str(j, "pass");
  if (auto it = j.find("userFrom"); it != j.end() && it->is_object()) {
    v.user_from = it->get<CredentialSource>();
  }
  if (auto it = j.find("passFrom"); it != j.end() && it->is_object()) {
    v.pass_from = it->get<CredentialSource>();
  }
  v.interface = str(j, "interface");
}

void to_json(json& j, const ManagementApi& v) { j = json{{"endpoint", v.endpoint}}; }
void from_json(const json& j, ManagementApi& v) {
  v = {};
  if (j.is_object()) v.endpoint = str(j, "endpoint");
}

void to_json(json& j, const ApiEndpoint& v) { j = json{{"host", v.host}, {"port", v.port}}; }
void from_json(const json& j, ApiEndpoint& v) {
  v = {};
  if (!j.is_object()) return;
  v.host = str(j, "host");
  if (auto p = get_int(j, {"port"}); p && *p >= 0 && *p <= 65535) {
    v.port = static_cast<std::int32_t>(*p);
  }
}

void overlay_known_fields(json& target, const json& src, std::span<const std::string_view> known) {
  if (!target.is_object() || !src.is_object()) {
    target = src;
    return;
  }
  for (std::string_view k : known) target.erase(std::string(k));
  for (auto it = src.begin(); it != src.end(); ++it) target[it.key()] = it.value();
}

}  // namespace ferrum::model
