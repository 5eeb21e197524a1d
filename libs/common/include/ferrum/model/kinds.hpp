#pragma once
// The one place that names Ferrum's resource types: group, versions, kind, plural, scope.
// The API server, the CRD loader, clients and controllers all take these from here.

#include <array>
#include <string>
#include <string_view>

#include "ferrum/contract.hpp"

namespace ferrum::model {

struct ResourceKind {
  std::string_view group;    // "" for the core group
  std::string_view version;  // storage (and preferred) version
  std::string_view kind;
  std::string_view plural;
  std::string_view singular;
  bool namespaced;
  // Other served versions, converted to and from `version` (ferrum/model/conversion.hpp).
  std::array<std::string_view, 1> also_served;

  // "group/version", or just "version" for the core group.
  std::string api_version() const;
  std::string list_kind() const { return std::string(kind) + "List"; }
  bool serves(std::string_view v) const;
};

inline constexpr std::string_view kMetalGroup = "metal.sidero.dev";
inline constexpr std::string_view kInfrastructureGroup = "infrastructure.cluster.x-k8s.io";
inline constexpr std::string_view kClusterApiGroup = "cluster.x-k8s.io";

inline constexpr std::string_view kMetalV1Alpha1 = "v1alpha1";
inline constexpr std::string_view kMetalV1Alpha2 = "v1alpha2";

inline constexpr ResourceKind kServer{kMetalGroup, kMetalV1Alpha2, "Server",        "servers",
                                      "server",    false,          {kMetalV1Alpha1}};
inline constexpr ResourceKind kServerClass{kMetalGroup,     kMetalV1Alpha2, "ServerClass",
                                           "serverclasses", "serverclass",  false,
                                           {kMetalV1Alpha1}};
inline constexpr ResourceKind kEnvironment{kMetalGroup,     kMetalV1Alpha2, "Environment",
                                           "environments",  "environment",  false,
                                           {kMetalV1Alpha1}};
inline constexpr ResourceKind kMetalCluster{
    kInfrastructureGroup, "v1alpha3", "MetalCluster", "metalclusters", "metalcluster", true, {}};
inline constexpr ResourceKind kMetalMachine{
    kInfrastructureGroup, "v1alpha3", "MetalMachine", "metalmachines", "metalmachine", true, {}};
inline constexpr ResourceKind kMetalMachineTemplate{kInfrastructureGroup,
                                                    "v1alpha3",
                                                    "MetalMachineTemplate",
                                                    "metalmachinetemplates",
                                                    "metalmachinetemplate",
                                                    true,
                                                    {}};
inline constexpr ResourceKind kServerBinding{kInfrastructureGroup,
                                             "v1alpha3",
                                             "ServerBinding",
                                             "serverbindings",
                                             "serverbinding",
                                             false,
                                             {}};
inline constexpr ResourceKind kCluster{kClusterApiGroup, "v1beta1", "Cluster", "clusters",
                                       "cluster",        true,      {}};
inline constexpr ResourceKind kMachine{kClusterApiGroup, "v1beta1", "Machine", "machines",
                                       "machine",        true,      {}};
inline constexpr ResourceKind kSecret{"", "v1", "Secret", "secrets", "secret", true, {}};

inline constexpr std::array<const ResourceKind*, 10> kAllKinds{
    &kServer,        &kServerClass,  &kEnvironment,
    &kMetalCluster,  &kMetalMachine, &kMetalMachineTemplate,
    &kServerBinding, &kCluster,      &kMachine,
    &kSecret};

// Lookups over kAllKinds; nullptr when unknown.
const ResourceKind* find_kind(std::string_view group, std::string_view kind);
const ResourceKind* find_kind_by_plural(std::string_view group, std::string_view plural);

// Splits "group/version" (or "v1") into its parts.
struct GroupVersion {
  std::string group;
  std::string version;
};
GroupVersion parse_api_version(std::string_view api_version);

// Well-known names and labels.
inline constexpr std::string_view kServerClassAny = "any";
inline constexpr std::string_view kEnvironmentDefault = "default";
inline constexpr std::string_view kClusterNameLabel = contract::kClusterNameLabel;
inline constexpr std::string_view kServerUuidLabel = contract::kServerUuidLabel;
inline constexpr std::string_view kServerFinalizer = "storage.finalizers.server.k8s.io";
inline constexpr std::string_view kMetalMachineFinalizer =
    "metalmachine.infrastructure.cluster.x-k8s.io";
inline constexpr std::string_view kMetalClusterFinalizer =
    "metalcluster.infrastructure.cluster.x-k8s.io";

// Condition types.
inline constexpr std::string_view kConditionPowerCycle = "PowerCycle";
inline constexpr std::string_view kConditionPXEBooted = "PXEBooted";
inline constexpr std::string_view kConditionProviderSet = "ProviderSet";
inline constexpr std::string_view kConditionTalosConfigValidated = "TalosConfigValidated";
inline constexpr std::string_view kConditionTalosConfigLoaded = "TalosConfigLoaded";
inline constexpr std::string_view kConditionTalosInstalled = "TalosInstalled";
inline constexpr std::string_view kConditionReady = "Ready";

}  // namespace ferrum::model
