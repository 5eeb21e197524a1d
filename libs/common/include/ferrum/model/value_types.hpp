#pragma once
// Small value types shared by several resources' specs and statuses. Conversions are
// tolerant on read and omit empty optional fields on write, like the Go types.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ferrum::model {

// One JSON-6902 operation (Server/ServerClass spec.configPatches[]).
struct ConfigPatch {
  std::string op;
  std::string path;
  std::optional<nlohmann::json> value;  // absent for "remove"
  bool operator==(const ConfigPatch&) const = default;
};

// corev1.NodeAddress / clusterv1.MachineAddress.
struct NodeAddress {
  std::string type;  // Hostname, InternalIP, ExternalIP, InternalDNS, ExternalDNS
  std::string address;
  bool operator==(const NodeAddress&) const = default;
};

struct SecretKeyRef {
  std::string namespace_;
  std::string name;
  std::string key;
  bool operator==(const SecretKeyRef&) const = default;
};

struct CredentialSource {
  std::optional<SecretKeyRef> secret_key_ref;
  bool operator==(const CredentialSource&) const = default;
};

struct Bmc {
  std::string endpoint;
  std::uint32_t port = 0;  // 0 = default (623)
  std::string user;
  std::string pass;
  std::optional<CredentialSource> user_from;
  std::optional<CredentialSource> pass_from;
  std::string interface;  // empty = lanplus
  bool operator==(const Bmc&) const = default;
};

struct ManagementApi {
  std::string endpoint;
  bool operator==(const ManagementApi&) const = default;
};

// clusterv1.APIEndpoint.
struct ApiEndpoint {
  std::string host;
  std::int32_t port = 0;
  bool operator==(const ApiEndpoint&) const = default;
};

void to_json(nlohmann::json& j, const ConfigPatch& v);
void from_json(const nlohmann::json& j, ConfigPatch& v);
void to_json(nlohmann::json& j, const NodeAddress& v);
void from_json(const nlohmann::json& j, NodeAddress& v);
void to_json(nlohmann::json& j, const SecretKeyRef& v);
void from_json(const nlohmann::json& j, SecretKeyRef& v);
void to_json(nlohmann::json& j, const CredentialSource& v);
void from_json(const nlohmann::json& j, CredentialSource& v);
void to_json(nlohmann::json& j, const Bmc& v);
void from_json(const nlohmann::json& j, Bmc& v);
void to_json(nlohmann::json& j, const ManagementApi& v);
void from_json(const nlohmann::json& j, ManagementApi& v);
void to_json(nlohmann::json& j, const ApiEndpoint& v);
void from_json(const nlohmann::json& j, ApiEndpoint& v);

// Replaces the keys named in `known` in target with those in src (deleting known keys src
// lacks) and leaves every other key of target alone. A non-object target becomes src.
void overlay_known_fields(nlohmann::json& target, const nlohmann::json& src,
                          std::span<const std::string_view> known);

}  // namespace ferrum::model
