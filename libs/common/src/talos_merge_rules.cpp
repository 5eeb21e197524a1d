#include "ferrum/talos_merge_rules.hpp"

#include <array>

namespace ferrum::patch {
namespace {

struct Entry {
  std::string_view kind;  // "" = the v1alpha1 machine config
  std::string_view path;
  MergeRule rule;
};

// Paths are the YAML names of the Go fields; the upstream file is where the field's type or
// tag says how it merges (siderolabs/talos, tag v1.13.0).
constexpr std::array kRules = {
    // pkg/machinery/config/types/v1alpha1/v1alpha1_types.go, NetworkDeviceList.Merge: a patch
    // interface merges into the existing one with the same `interface`, or, when it names
    // none, with an equal `deviceSelector`; otherwise it is appended.
    Entry{"", "machine/network/interfaces", {MergeKind::kListMergeByKey, ListKey::kNetworkDevice}},
    // v1alpha1_types.go, VlanList.Merge: VLANs of an interface merge by `vlanId`.
    Entry{"", "machine/network/interfaces/*/vlans", {MergeKind::kListMergeByKey, ListKey::kVlanId}},
    // v1alpha1_types.go, AdmissionPluginConfigList.Merge: admission plugins merge by `name`.
    Entry{"", "cluster/apiServer/admissionControl", {MergeKind::kListMergeByKey, ListKey::kName}},
    // v1alpha1_types.go, ClusterNetworkConfig: PodSubnet and ServiceSubnet are tagged
    // `merge:"replace"`.
    Entry{"", "cluster/network/podSubnets", {MergeKind::kReplace, ListKey::kNone}},
    Entry{"", "cluster/network/serviceSubnets", {MergeKind::kReplace, ListKey::kNone}},
    // v1alpha1_types.go, APIServerConfig: AuditPolicyConfig is tagged `merge:"replace"`.
    Entry{"", "cluster/apiServer/auditPolicy", {MergeKind::kReplace, ListKey::kNone}},
    // v1alpha1_types.go, Args.Merge (the extraArgs maps, a list or a string per argument since
    // Talos 1.13): maps.Copy, so each named argument is replaced, never merged or appended.
    Entry{"", "machine/kubelet/extraArgs", {MergeKind::kArgs, ListKey::kNone}},
    Entry{"", "cluster/apiServer/extraArgs", {MergeKind::kArgs, ListKey::kNone}},
    Entry{"", "cluster/controllerManager/extraArgs", {MergeKind::kArgs, ListKey::kNone}},
    Entry{"", "cluster/proxy/extraArgs", {MergeKind::kArgs, ListKey::kNone}},
    Entry{"", "cluster/scheduler/extraArgs", {MergeKind::kArgs, ListKey::kNone}},
    Entry{"", "cluster/etcd/extraArgs", {MergeKind::kArgs, ListKey::kNone}},
    // v1alpha1_types.go, NetworkKubeSpan: KubeSpanMTU is a *uint32, and merge.go (since Talos
    // 1.12) merges through a pointer with overwrite set, so a zero there does replace.
    Entry{"", "machine/network/kubespan/mtu", {MergeKind::kOverwriteZero, ListKey::kNone}},
    // pkg/machinery/config/types/runtime/extensions/service_config.go, ConfigFileList.Merge:
    // an extension service's config files merge by `mountPath`.
    Entry{
        "ExtensionServiceConfig", "configFiles", {MergeKind::kListMergeByKey, ListKey::kMountPath}},
    // pkg/machinery/config/types/network/rule_config.go: Ingress and PortSelector.Ports are
    // tagged `merge:"replace"`.
    Entry{"NetworkRuleConfig", "ingress", {MergeKind::kReplace, ListKey::kNone}},
    Entry{"NetworkRuleConfig", "portSelector/ports", {MergeKind::kReplace, ListKey::kNone}},
    // pkg/machinery/config/types/security/image_verification.go, ImageVerificationRules.Merge:
    // a rule with the same `image` pattern is replaced whole, others are appended.
    Entry{"ImageVerificationConfig", "rules", {MergeKind::kListReplaceByKey, ListKey::kImage}},
};

}  // namespace

MergeRule talos_merge_rule(std::string_view kind, std::string_view path) {
  for (const Entry& e : kRules) {
    if (e.kind == kind && e.path == path) return e.rule;
  }
  return {};
}

}  // namespace ferrum::patch
