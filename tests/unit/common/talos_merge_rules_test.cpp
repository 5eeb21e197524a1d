// Talos' strategic merge rules (talos_merge_rules.hpp), exercised through apply_strategic_patch.
// Where Talos has a test vector for a rule, the case says which file it is rewritten from
// (siderolabs/talos v1.13.0); Talos' expected files also carry the defaults its structs
// marshal (`type: ""`, `routes: []`, ...), which a schema-less merge does not add, so only
// what the patch changes is compared here.

#include "ferrum/talos_merge_rules.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "ferrum/patch.hpp"
#include "ferrum/yaml.hpp"

namespace ferrum::patch {
namespace {

using json = nlohmann::json;

std::vector<json> parse(const char* text) {
  auto docs = yaml::parse_all(text);
  EXPECT_TRUE(docs.has_value()) << text;
  return docs ? *docs : std::vector<json>{};
}

struct RuleCase {
  const char* name;
  const char* config;    // YAML stream
  const char* patch;     // YAML stream: one strategic patch
  const char* expected;  // YAML stream
};

void PrintTo(const RuleCase& c, std::ostream* os) { *os << c.name; }

class TalosMergeRules : public testing::TestWithParam<RuleCase> {};

TEST_P(TalosMergeRules, MergesAsTalosDoes) {
  auto result = apply_strategic_patch(parse(GetParam().config), GetParam().patch);
  ASSERT_TRUE(result.has_value()) << result.error().message();
  EXPECT_EQ(result.value(), parse(GetParam().expected)) << yaml::emit_all(result.value());
}

// The interfaces of v1alpha1_types.go testdata/strategic/006/left.yaml.
constexpr const char* kTwoInterfaces = R"(version: v1alpha1
machine:
  network:
    interfaces:
      - interface: eth0
        addresses: [172.20.0.2/24]
        dhcp: true
      - deviceSelector:
          driver: macvtap
        dhcp: false
)";

INSTANTIATE_TEST_SUITE_P(
    Table, TalosMergeRules,
    testing::Values(
        // configpatcher/testdata/apply/strategic1.yaml: dhcp false reaches eth0 (false is
        // merged, unlike "" and 0), and no second eth0 appears.
        RuleCase{"InterfaceMergedByName",
                 "version: v1alpha1\nmachine:\n  network:\n    interfaces:\n"
                 "      - interface: eth0\n        dhcp: true\n",
                 "machine:\n  network:\n    interfaces:\n      - interface: eth0\n"
                 "        dhcp: false\n",
                 "version: v1alpha1\nmachine:\n  network:\n    interfaces:\n"
                 "      - interface: eth0\n        dhcp: false\n"},
        // Inside a merged interface the default rules hold: addresses append, mtu replaces.
        RuleCase{"InterfaceFieldsMergeByTheDefaultRules",
                 "version: v1alpha1\nmachine:\n  network:\n    interfaces:\n"
                 "      - interface: eth0\n        mtu: 1500\n        addresses: [10.0.0.2/24]\n"
                 "      - interface: eth1\n        dhcp: true\n",
                 "machine:\n  network:\n    interfaces:\n      - interface: eth1\n"
                 "        mtu: 9000\n      - interface: eth0\n        mtu: 9000\n"
                 "        addresses: [10.0.1.2/24]\n",
                 "version: v1alpha1\nmachine:\n  network:\n    interfaces:\n"
                 "      - interface: eth0\n        mtu: 9000\n"
                 "        addresses: [10.0.0.2/24, 10.0.1.2/24]\n"
                 "      - interface: eth1\n        dhcp: true\n        mtu: 9000\n"},
        // v1alpha1_types.go testdata/strategic/003: eth0 by name, the macvtap interface by
        // its deviceSelector, eth1 (new) appended after them.
        RuleCase{"InterfaceMergedByDeviceSelector", kTwoInterfaces,
                 R"(machine:
  network:
    interfaces:
      - interface: eth1
        addresses:
          - "192.168.0.1/24"
      - interface: eth0
        vip:
          ip: 10.3.5.7
      - deviceSelector:
          driver: macvtap
        routes:
          - network: 10.3.4.0/24
            gateway: 10.3.4.1
)",
                 R"(version: v1alpha1
machine:
  network:
    interfaces:
      - interface: eth0
        addresses: [172.20.0.2/24]
        dhcp: true
        vip:
          ip: 10.3.5.7
      - deviceSelector:
          driver: macvtap
        dhcp: false
        routes:
          - network: 10.3.4.0/24
            gateway: 10.3.4.1
      - interface: eth1
        addresses: ["192.168.0.1/24"]
)"},
        // A selector matches only an equal selector (all its fields), not a subset.
        RuleCase{"OtherDeviceSelectorAppends", kTwoInterfaces,
                 "machine:\n  network:\n    interfaces:\n      - deviceSelector:\n"
                 "          driver: macvtap\n          hardwareAddr: '00:00:5e:00:53:01'\n"
                 "        dhcp: true\n",
                 R"(version: v1alpha1
machine:
  network:
    interfaces:
      - interface: eth0
        addresses: [172.20.0.2/24]
        dhcp: true
      - deviceSelector:
          driver: macvtap
        dhcp: false
      - deviceSelector:
          driver: macvtap
          hardwareAddr: '00:00:5e:00:53:01'
        dhcp: true
)"},
        // Talos compares `physical` (a *bool) by address and so would append a duplicate;
        // Ferrum compares it by value and merges (a patch never duplicates an interface).
        RuleCase{"DeviceSelectorWithPhysicalMerges",
                 "version: v1alpha1\nmachine:\n  network:\n    interfaces:\n"
                 "      - deviceSelector:\n          physical: true\n        dhcp: true\n",
                 "machine:\n  network:\n    interfaces:\n      - deviceSelector:\n"
                 "          physical: true\n        mtu: 9000\n",
                 "version: v1alpha1\nmachine:\n  network:\n    interfaces:\n"
                 "      - deviceSelector:\n          physical: true\n        dhcp: true\n"
                 "        mtu: 9000\n"},
        // A patch interface with neither `interface` nor `deviceSelector` has no key.
        RuleCase{"InterfaceWithoutKeyAppends",
                 "version: v1alpha1\nmachine:\n  network:\n    interfaces:\n"
                 "      - interface: eth0\n",
                 "machine:\n  network:\n    interfaces:\n      - dhcp: true\n",
                 "version: v1alpha1\nmachine:\n  network:\n    interfaces:\n"
                 "      - interface: eth0\n      - dhcp: true\n"},
        // Two patch elements for one interface merge with each other, as Talos searches the
        // list as it grows.
        RuleCase{"TwoPatchElementsForOneInterface", "version: v1alpha1\nmachine: {}\n",
                 "machine:\n  network:\n    interfaces:\n      - interface: eth2\n"
                 "        mtu: 9000\n      - interface: eth2\n        dhcp: true\n",
                 "version: v1alpha1\nmachine:\n  network:\n    interfaces:\n"
                 "      - interface: eth2\n        mtu: 9000\n        dhcp: true\n"},
        // configpatcher/testdata/apply/strategic2.yaml + strategic3.yaml, as one patch: VLAN
        // 100 of eth1 merged by vlanId (its addresses append), VLAN 101 appended.
        RuleCase{"VlanMergedByVlanIdWithinInterface",
                 R"(version: v1alpha1
machine:
  network:
    interfaces:
      - interface: eth1
        vlans:
          - vlanId: 100
            addresses: [10.3.4.5]
            mtu: 1500
)",
                 R"(machine:
  network:
    interfaces:
      - interface: eth1
        vlans:
          - vlanId: 100
            addresses: [10.3.4.6]
            mtu: 9000
          - vlanId: 101
            addresses: [10.3.4.7]
)",
                 R"(version: v1alpha1
machine:
  network:
    interfaces:
      - interface: eth1
        vlans:
          - vlanId: 100
            addresses: [10.3.4.5, 10.3.4.6]
            mtu: 9000
          - vlanId: 101
            addresses: [10.3.4.7]
)"},
        // v1alpha1_types.go testdata/strategic/001: podSubnets and serviceSubnets replace.
        RuleCase{"PodAndServiceSubnetsReplace",
                 "version: v1alpha1\ncluster:\n  network:\n    dnsDomain: cluster.local\n"
                 "    podSubnets:\n      - 10.244.0.0/16\n    serviceSubnets:\n"
                 "      - 10.96.0.0/12\n",
                 "cluster:\n  network:\n    podSubnets: [\"10.0.0.0/24\"]\n"
                 "    serviceSubnets: [\"192.168.0.0/24\", \"ff:08::/64\"]\n",
                 "version: v1alpha1\ncluster:\n  network:\n    dnsDomain: cluster.local\n"
                 "    podSubnets: [\"10.0.0.0/24\"]\n"
                 "    serviceSubnets: [\"192.168.0.0/24\", \"ff:08::/64\"]\n"},
        RuleCase{"PodSubnetsReplacedAloneKeepsServiceSubnets",
                 "version: v1alpha1\ncluster:\n  network:\n    podSubnets: [10.244.0.0/16]\n"
                 "    serviceSubnets: [10.96.0.0/12]\n",
                 "cluster:\n  network:\n    podSubnets: [10.32.0.0/12]\n",
                 "version: v1alpha1\ncluster:\n  network:\n    podSubnets: [10.32.0.0/12]\n"
                 "    serviceSubnets: [10.96.0.0/12]\n"},
        // configpatcher/testdata/auditpolicy and v1alpha1 testdata/strategic/006: the policy
        // is replaced whole; its rules list does not append and its other keys do not merge.
        RuleCase{"AuditPolicyReplacedWhole",
                 R"(version: v1alpha1
cluster:
  apiServer:
    image: k8s.gcr.io/kube-apiserver:v1.24.2
    auditPolicy:
      apiVersion: audit.k8s.io/v1
      kind: Policy
      omitStages: [RequestReceived]
      rules:
        - level: Metadata
)",
                 R"(cluster:
  apiServer:
    auditPolicy:
      apiVersion: audit.k8s.io/v1
      kind: Policy
      rules:
        - level: None
)",
                 R"(version: v1alpha1
cluster:
  apiServer:
    image: k8s.gcr.io/kube-apiserver:v1.24.2
    auditPolicy:
      apiVersion: audit.k8s.io/v1
      kind: Policy
      rules:
        - level: None
)"},
        // v1alpha1_types.go testdata/strategic/004: the PodSecurity plugin merged by name;
        // inside it maps merge and lists (exemptions.namespaces) append.
        RuleCase{"AdmissionPluginMergedByName",
                 R"(version: v1alpha1
cluster:
  apiServer:
    admissionControl:
      - name: PodSecurity
        configuration:
          defaults:
            audit: restricted
            enforce: baseline
          exemptions:
            namespaces: [kube-system]
)",
                 R"(cluster:
  apiServer:
    admissionControl:
      - name: PodSecurity
        configuration:
          defaults:
            enforce: restricted
          exemptions:
            namespaces: [rook-system]
      - name: EventRateLimit
        configuration: {}
)",
                 R"(version: v1alpha1
cluster:
  apiServer:
    admissionControl:
      - name: PodSecurity
        configuration:
          defaults:
            audit: restricted
            enforce: restricted
          exemptions:
            namespaces: [kube-system, rook-system]
      - name: EventRateLimit
        configuration: {}
)"},
        // merge.go: every other list appends, even of maps and even of equal values
        // (merge_test.go "partial merge" and "unstructured").
        RuleCase{"OtherListsAppend",
                 R"(version: v1alpha1
machine:
  certSANs: [10.0.0.1]
  network:
    nameservers: [1.1.1.1]
    interfaces:
      - interface: eth0
        routes:
          - network: 0.0.0.0/0
            gateway: 10.0.0.1
  files:
    - path: /var/a
      content: a
cluster:
  network:
    cni:
      name: flannel
      flannel:
        extraArgs: [--iface=eth0]
  inlineManifests:
    - name: x
      contents: a
)",
                 R"(machine:
  certSANs: [10.0.0.1, 10.0.0.2]
  network:
    nameservers: [8.8.8.8]
    interfaces:
      - interface: eth0
        routes:
          - network: 0.0.0.0/0
            gateway: 10.0.0.1
  files:
    - path: /var/a
      content: b
cluster:
  network:
    cni:
      flannel:
        extraArgs: [--iface=eth1]
  inlineManifests:
    - name: x
      contents: b
)",
                 R"(version: v1alpha1
machine:
  certSANs: [10.0.0.1, 10.0.0.1, 10.0.0.2]
  network:
    nameservers: [1.1.1.1, 8.8.8.8]
    interfaces:
      - interface: eth0
        routes:
          - network: 0.0.0.0/0
            gateway: 10.0.0.1
          - network: 0.0.0.0/0
            gateway: 10.0.0.1
  files:
    - path: /var/a
      content: a
    - path: /var/a
      content: b
cluster:
  network:
    cni:
      name: flannel
      flannel:
        extraArgs: [--iface=eth0, --iface=eth1]
  inlineManifests:
    - name: x
      contents: a
    - name: x
      contents: b
)"},
        // merge.go: "" and 0 leave a value alone, false replaces (merge_test.go "merge with
        // zero"); a pointer-typed scalar takes a zero ("merge with pointer override").
        RuleCase{"ZeroScalarsLeaveValuesAlone",
                 R"(version: v1alpha1
machine:
  install:
    disk: /dev/sda
    wipe: true
  network:
    hostname: node-0
    interfaces:
      - interface: eth0
        mtu: 1500
    kubespan:
      mtu: 1420
)",
                 R"(machine:
  install:
    disk: ""
    wipe: false
  network:
    hostname: ""
    interfaces:
      - interface: eth0
        mtu: 0
    kubespan:
      mtu: 0
)",
                 R"(version: v1alpha1
machine:
  install:
    disk: /dev/sda
    wipe: false
  network:
    hostname: node-0
    interfaces:
      - interface: eth0
        mtu: 1500
    kubespan:
      mtu: 0
)"},
        // Args.Merge (v1alpha1_types.go): each named argument is replaced whole, a list value
        // included; the others stay.
        RuleCase{"ExtraArgsReplacedPerArgument",
                 R"(version: v1alpha1
machine:
  kubelet:
    extraArgs:
      max-pods: "110"
      feature-gates: [A=true]
cluster:
  apiServer:
    extraArgs:
      audit-log-maxage: "30"
)",
                 R"(machine:
  kubelet:
    extraArgs:
      feature-gates: [B=true]
      rotate-server-certificates: "true"
cluster:
  apiServer:
    extraArgs:
      audit-log-maxage: "7"
)",
                 R"(version: v1alpha1
machine:
  kubelet:
    extraArgs:
      max-pods: "110"
      feature-gates: [B=true]
      rotate-server-certificates: "true"
cluster:
  apiServer:
    extraArgs:
      audit-log-maxage: "7"
)"},
        // ConfigFileList.Merge (runtime/extensions/service_config.go): by mountPath.
        RuleCase{"ExtensionConfigFilesMergedByMountPath",
                 "apiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: foo\n"
                 "configFiles:\n  - content: hello\n    mountPath: /etc/foo\n",
                 "apiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: foo\n"
                 "configFiles:\n  - content: bye\n    mountPath: /etc/foo\n"
                 "  - content: new\n    mountPath: /etc/bar\n",
                 "apiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: foo\n"
                 "configFiles:\n  - content: bye\n    mountPath: /etc/foo\n"
                 "  - content: new\n    mountPath: /etc/bar\n"},
        // A document the config lacks is appended, its keyed lists holding each key once.
        RuleCase{"NewDocumentKeepsItsRules", "version: v1alpha1\nmachine: {}\n",
                 "apiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: foo\n"
                 "configFiles:\n  - content: a\n    mountPath: /etc/foo\n"
                 "  - content: b\n    mountPath: /etc/foo\n",
                 "version: v1alpha1\nmachine: {}\n---\n"
                 "apiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: foo\n"
                 "configFiles:\n  - content: b\n    mountPath: /etc/foo\n"},
        // network/rule_config.go: ingress and portSelector.ports are `merge:"replace"`.
        RuleCase{"NetworkRuleIngressAndPortsReplace",
                 "apiVersion: v1alpha1\nkind: NetworkRuleConfig\nname: kubelet\n"
                 "portSelector:\n  ports: [10250]\n  protocol: tcp\n"
                 "ingress:\n  - subnet: 10.0.0.0/8\n",
                 "apiVersion: v1alpha1\nkind: NetworkRuleConfig\nname: kubelet\n"
                 "portSelector:\n  ports: [10250, 10255]\n"
                 "ingress:\n  - subnet: 192.168.0.0/16\n",
                 "apiVersion: v1alpha1\nkind: NetworkRuleConfig\nname: kubelet\n"
                 "portSelector:\n  ports: [10250, 10255]\n  protocol: tcp\n"
                 "ingress:\n  - subnet: 192.168.0.0/16\n"},
        // ImageVerificationRules.Merge (security/image_verification.go): a rule with the same
        // image pattern is replaced, not merged.
        RuleCase{"ImageVerificationRuleReplacedByImage",
                 "apiVersion: v1alpha1\nkind: ImageVerificationConfig\n"
                 "rules:\n  - image: docker.io/*\n    skip: true\n    deny: false\n",
                 "apiVersion: v1alpha1\nkind: ImageVerificationConfig\n"
                 "rules:\n  - image: docker.io/*\n    deny: true\n  - image: ghcr.io/*\n"
                 "    skip: true\n",
                 "apiVersion: v1alpha1\nkind: ImageVerificationConfig\n"
                 "rules:\n  - image: docker.io/*\n    deny: true\n  - image: ghcr.io/*\n"
                 "    skip: true\n"},
        // The rules belong to their document: a list with the same name elsewhere appends.
        RuleCase{"RulesApplyOnlyAtTheirPath",
                 "version: v1alpha1\nmachine:\n  podSubnets: [a]\n  interfaces:\n"
                 "    - interface: eth0\n",
                 "machine:\n  podSubnets: [b]\n  interfaces:\n    - interface: eth0\n",
                 "version: v1alpha1\nmachine:\n  podSubnets: [a, b]\n  interfaces:\n"
                 "    - interface: eth0\n    - interface: eth0\n"},
        // configpatcher/testdata/patchdelete (config.yaml, strategic1.yaml, expected.yaml):
        // deletes run before merges, so eth0 is deleted and then appended anew after eth1,
        // which merges by name; a configFiles element is deleted by its content; a
        // document is deleted.
        RuleCase{"PatchDeleteVector",
                 R"(version: v1alpha1
machine:
  network:
    hostname: hostname1
    interfaces:
      - interface: eth0
        dhcp: true
      - interface: eth1
        addresses: [10.3.5.4/32]
---
apiVersion: v1alpha1
kind: SideroLinkConfig
apiUrl: https://siderolink.api/join?jointoken=secret&user=alice
---
apiVersion: v1alpha1
kind: ExtensionServiceConfig
name: foo
configFiles:
    - content: hello
      mountPath: /etc/foo
environment:
    - FOO=BAR
)",
                 R"(apiVersion: v1alpha1
kind: SideroLinkConfig
$patch: delete
---
apiVersion: v1alpha1
kind: ExtensionServiceConfig
name: foo
configFiles:
  - content: hello
    $patch: delete
  - content: hello2
    mountPath: /etc/foo2
---
version: v1alpha1
machine:
  network:
    hostname:
      $patch: delete
    interfaces:
      - interface: eth0
        $patch: delete
      - interface: eth1
        addresses: [10.3.5.5/32]
      - interface: eth0
        dummy: true
)",
                 R"(version: v1alpha1
machine:
  network:
    interfaces:
      - interface: eth1
        addresses: [10.3.5.4/32, 10.3.5.5/32]
      - interface: eth0
        dummy: true
---
apiVersion: v1alpha1
kind: ExtensionServiceConfig
name: foo
configFiles:
  - content: hello2
    mountPath: /etc/foo2
environment:
  - FOO=BAR
)"},
        // Deletes before merges whatever their place in the list: the re-added eth0 comes
        // first in the patch and survives the delete that follows it.
        RuleCase{"DeleteAppliesBeforeMergeWhateverItsPlace",
                 "version: v1alpha1\nmachine:\n  network:\n    interfaces:\n"
                 "      - interface: eth0\n        dhcp: true\n",
                 "machine:\n  network:\n    interfaces:\n      - interface: eth0\n"
                 "        dummy: true\n      - interface: eth0\n        $patch: delete\n",
                 "version: v1alpha1\nmachine:\n  network:\n    interfaces:\n"
                 "      - interface: eth0\n        dummy: true\n"},
        // delete.go drops what its deletes leave empty: a delete inside auditPolicy removes
        // that key without replacing the policy, and a delete under a missing key creates
        // nothing.
        RuleCase{"DeleteOnlyValueNeitherReplacesNorCreates",
                 "version: v1alpha1\ncluster:\n  apiServer:\n    auditPolicy:\n"
                 "      kind: Policy\n      omitStages: [RequestReceived]\n",
                 "cluster:\n  apiServer:\n    auditPolicy:\n      omitStages:\n"
                 "        $patch: delete\n  network:\n    cni:\n      name:\n"
                 "        $patch: delete\n",
                 "version: v1alpha1\ncluster:\n  apiServer:\n    auditPolicy:\n"
                 "      kind: Policy\n"},
        // Inside a merged interface (Talos refuses deletes there), a delete applies to it.
        RuleCase{"DeleteInsideMergedInterface",
                 "version: v1alpha1\nmachine:\n  network:\n    interfaces:\n"
                 "      - interface: eth0\n        vip:\n          ip: 10.0.0.10\n"
                 "        vlans:\n          - vlanId: 5\n          - vlanId: 6\n",
                 "machine:\n  network:\n    interfaces:\n      - interface: eth0\n"
                 "        vip:\n          $patch: delete\n        vlans:\n"
                 "          - vlanId: 5\n            $patch: delete\n",
                 "version: v1alpha1\nmachine:\n  network:\n    interfaces:\n"
                 "      - interface: eth0\n        vlans:\n          - vlanId: 6\n"}),
    [](const testing::TestParamInfo<RuleCase>& param_info) { return param_info.param.name; });

// configpatcher/apply_test.go TestApply with testdata/apply: strategic1, jsonpatch1,
// jsonpatch2, strategic2, strategic3 in that order.
TEST(TalosMergeRules, ApplyVector) {
  auto docs = parse(R"(version: v1alpha1
machine:
  network:
    hostname: hostname1
    interfaces:
      - interface: eth0
        dhcp: true
cluster:
  proxy:
    extraArgs:
       metrics-bind-address: $(POD_IP):10249
       foo: bar
)");
  auto step = [&](const char* strategic) {
    auto r = apply_strategic_patch(docs, strategic);
    ASSERT_TRUE(r.has_value()) << r.error().message();
    docs = *r;
  };
  auto json_step = [&](const char* patch) {
    auto r = apply_json_patch(docs[0], json::parse(patch));
    ASSERT_TRUE(r.has_value()) << r.error().message();
    docs[0] = *r;
  };
  step("machine:\n  network:\n    interfaces:\n      - interface: eth0\n        dhcp: false\n");
  json_step(R"([{"op": "add", "path": "/machine/network/interfaces/0/addresses",
                 "value": ["10.1.2.3/24"]}])");
  json_step(R"([{"op": "replace", "path": "/machine/network/hostname", "value": "foo"}])");
  step(R"(machine:
  network:
    interfaces:
      - interface: eth0
        vip:
          ip: 10.3.5.6
      - interface: eth1
        vlans:
          - vlanId: 100
            addresses: [10.3.4.5]
)");
  step(R"(machine:
  network:
    interfaces:
      - interface: eth1
        vlans:
          - vlanId: 100
            addresses: [10.3.4.6]
          - vlanId: 101
            addresses: [10.3.4.7]
cluster:
  proxy:
    extraArgs:
       metrics-bind-address: $(POD_IP):10249
       foo:
         $patch: delete
)");
  EXPECT_EQ(docs, parse(R"(version: v1alpha1
machine:
  network:
    hostname: foo
    interfaces:
      - interface: eth0
        addresses: [10.1.2.3/24]
        dhcp: false
        vip:
          ip: 10.3.5.6
      - interface: eth1
        vlans:
          - addresses: [10.3.4.5, 10.3.4.6]
            vlanId: 100
          - addresses: [10.3.4.7]
            vlanId: 101
cluster:
  proxy:
    extraArgs:
      metrics-bind-address: $(POD_IP):10249
)")) << yaml::emit_all(docs);
}

TEST(TalosMergeRules, DeletingTheMachineConfigDocumentIsRefused) {
  // selector.go: "can't delete the root of the legacy document".
  auto result = apply_strategic_patch(parse("version: v1alpha1\nmachine: {}\n"),
                                      "version: v1alpha1\n$patch: delete\n");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message(),
            "patch document 0: $patch: delete cannot delete the v1alpha1 machine config "
            "document (Talos refuses to as well)");
}

TEST(TalosMergeRules, LookupByKindAndPath) {
  EXPECT_EQ(talos_merge_rule("", "machine/network/interfaces").key, ListKey::kNetworkDevice);
  EXPECT_EQ(talos_merge_rule("", "machine/network/interfaces/*/vlans").key, ListKey::kVlanId);
  EXPECT_EQ(talos_merge_rule("", "cluster/network/podSubnets").kind, MergeKind::kReplace);
  EXPECT_EQ(talos_merge_rule("NetworkRuleConfig", "cluster/network/podSubnets").kind,
            MergeKind::kDefault);
  EXPECT_EQ(talos_merge_rule("", "machine/certSANs").kind, MergeKind::kDefault);
}

}  // namespace
}  // namespace ferrum::patch
