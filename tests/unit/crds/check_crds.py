#!/usr/bin/python3
"""Checks Ferrum's CRD manifests against the resource contract of DESIGN.md section 3.

Usage: check_crds.py <chart dir> [--self-test]

Loads every CustomResourceDefinition under <chart>/crds and <chart>/crds-capi and checks:
apiextensions.k8s.io/v1; name = <plural>.<group>; names, scope and versions as Sidero had them;
exactly one storage version; every served version has a schema, the status subresource and
the expected printer columns; the schema is structural; preserve-unknown-fields appears only
where the values are free-form; every field DESIGN.md 3 names is in the schema; the provider's
CRDs carry Cluster API's contract labels, the provider labels and clusterctl's move labels.

--self-test breaks copies of the manifests in known ways and fails unless each break is caught.

Runs with Debian's /usr/bin/python3 (python3-yaml); no other dependencies.
"""

import copy
import glob
import os
import sys

import yaml

# ---------------------------------------------------------------------------------------------
# The contract. Field paths: dot-separated JSON names from the version's root schema; "[]" after
# a segment steps into the array's items.

CONDITION = ["type", "status", "severity", "reason", "message", "lastTransitionTime"]
OBJECT_REF = ["apiVersion", "kind", "name", "namespace", "uid"]


def expand(prefix, names):
    return [f"{prefix}.{name}" for name in names]


HARDWARE = (
    expand("system", ["uuid", "manufacturer", "productName", "version", "serialNumber",
                      "skuNumber", "family"])
    + expand("compute", ["totalCoreCount", "totalThreadCount", "processorCount"])
    + expand("compute.processors[]", ["manufacturer", "productName", "serialNumber", "speed",
                                      "coreCount", "threadCount"])
    + expand("memory", ["totalSize", "moduleCount"])
    + expand("memory.modules[]", ["manufacturer", "productName", "serialNumber", "type", "size",
                                  "speed"])
    + expand("storage", ["totalSize", "deviceCount"])
    + expand("storage.devices[]", ["type", "size", "productName", "serialNumber", "name",
                                   "deviceName", "uuid", "wwid"])
    + ["network.interfaceCount"]
    + expand("network.interfaces[]", ["index", "name", "flags", "mtu", "mac", "addresses[]"])
)

SECRET_KEY_REF = ["namespace", "name", "key"]

SERVER_COMMON_SPEC = (
    expand("spec", ["hostname", "accepted", "cordoned", "pxeBootAlways", "bootFromDiskMethod",
                    "pxeMode", "managementApi.endpoint"])
    + expand("spec.environmentRef", OBJECT_REF)
    + expand("spec.configPatches[]", ["op", "path", "value", "from"])
    + expand("spec.bmc", ["endpoint", "port", "user", "pass", "interface"])
    + expand("spec.bmc.userFrom.secretKeyRef", SECRET_KEY_REF)
    + expand("spec.bmc.passFrom.secretKeyRef", SECRET_KEY_REF)
)
SERVER_STATUS = (
    expand("status", ["ready", "inUse", "isClean", "power"])
    + expand("status.addresses[]", ["type", "address"])
    + expand("status.conditions[]", CONDITION)
)

SERVERCLASS_COMMON = (
    expand("spec.environmentRef", OBJECT_REF)
    + ["spec.qualifiers.labelSelectors[]", "spec.selector.matchLabels",
       "spec.bootFromDiskMethod"]
    + expand("spec.selector.matchExpressions[]", ["key", "operator", "values[]"])
    + expand("spec.configPatches[]", ["op", "path", "value", "from"])
    + ["status.serversAvailable[]", "status.serversInUse[]"]
)

ENVIRONMENT = (
    expand("spec.kernel", ["url", "sha512", "args[]"])
    + expand("spec.initrd", ["url", "sha512"])
    + expand("status.conditions[]", ["url", "sha512", "status", "type"])
)

METALMACHINE_SPEC = (
    ["spec.providerID"]
    + expand("spec.serverRef", OBJECT_REF)
    + expand("spec.serverClassRef", OBJECT_REF)
)


def col(name, json_path, type_, priority=0):
    return {"name": name, "jsonPath": json_path, "type": type_, "priority": priority}


AGE = col("Age", ".metadata.creationTimestamp", "date")
CLUSTER_LABEL = ".metadata.labels.cluster\\.x-k8s\\.io/cluster-name"

SERVER_COLUMNS = [
    col("Hostname", ".spec.hostname", "string"),
    col("BMC IP", ".spec.bmc.endpoint", "string", 1),
    col("Accepted", ".spec.accepted", "boolean"),
    col("Cordoned", ".spec.cordoned", "boolean"),
    col("Allocated", ".status.inUse", "boolean"),
    col("Clean", ".status.isClean", "boolean"),
    col("Power", ".status.power", "string"),
    AGE,
]
SERVERCLASS_COLUMNS = [
    col("Available", ".status.serversAvailable", "string"),
    col("In Use", ".status.serversInUse", "string"),
    AGE,
]
ENVIRONMENT_COLUMNS = [
    col("Kernel", ".spec.kernel.url", "string"),
    col("Initrd", ".spec.initrd.url", "string"),
    col("Ready", '.status.conditions[?(@.type=="Ready")].status', "string"),
    AGE,
]

# Labels on every provider CRD (crds/, not crds-capi/). Cluster API resolves the apiVersion of
# an infrastructure reference from the label cluster.x-k8s.io/<contract> on its CRD and fails
# with "cannot find any versions matching contract" without it (CAPI
# internal/contract/version.go, GetLatestContractAndAPIVersionFromContract). Values: Sidero's
# config/kustomization.yaml commonLabels. The provider label and clusterctl.cluster.x-k8s.io
# are what `clusterctl init -i sidero` writes over Sidero's manifests (CAPI
# cmd/clusterctl/client/repository/components.go getCommonLabels, with
# cmd/clusterctl/api/v1alpha3/labels.go ManifestLabel); clusterctl move lists only CRDs that
# have clusterctl.cluster.x-k8s.io (cmd/clusterctl/client/cluster/objectgraph.go getCRDList).
PROVIDER_LABELS = {
    "cluster.x-k8s.io/provider": "infrastructure-sidero",
    "cluster.x-k8s.io/v1alpha3": "v1alpha3",
    "cluster.x-k8s.io/v1alpha4": "v1alpha3",
    "cluster.x-k8s.io/v1beta1": "v1alpha3",
    "clusterctl.cluster.x-k8s.io": "",
}
# Kinds no Cluster owns, which clusterctl move must carry all the same: Sidero labels its
# metal.sidero.dev CRDs (app/sidero-controller-manager/config/crd/kustomization.yaml), and
# objectgraph.go getDiscoveryTypes reads the label's presence. MetalCluster, MetalMachine and
# MetalMachineTemplate move through their owner chain; ServerBinding is not moved (Sidero's
# MetalMachine controller recreates it from spec.serverRef), so none of them has the label.
MOVE_LABEL = "clusterctl.cluster.x-k8s.io/move"
MOVE_HIERARCHY_LABEL = "clusterctl.cluster.x-k8s.io/move-hierarchy"
MOVED_KINDS = {"Server", "ServerClass", "Environment"}

# kind -> expectations. "versions": name -> (storage, required fields, preserve-unknown-fields
# allowed at these paths). Columns are the same for every version of a kind.
EXPECTED = {
    "Server": {
        "group": "metal.sidero.dev", "plural": "servers", "scope": "Cluster",
        "columns": SERVER_COLUMNS, "dir": "crds",
        "versions": {
            "v1alpha1": (False,
                         SERVER_COMMON_SPEC + SERVER_STATUS
                         + expand("spec.system", ["manufacturer", "productName", "version",
                                                  "serialNumber", "skuNumber", "family"])
                         + expand("spec.cpu", ["manufacturer", "version"]),
                         ["spec.configPatches[].value"]),
            "v1alpha2": (True,
                         SERVER_COMMON_SPEC + SERVER_STATUS + ["spec.strategicPatches[]"]
                         + expand("spec.hardware", HARDWARE),
                         ["spec.configPatches[].value"]),
        },
        # Sidero's Server webhook accepts "" besides the named values
        # (app/sidero-controller-manager/api/v1alpha2/server_webhook.go).
        "enums": {"spec.bootFromDiskMethod": ["", "ipxe-exit", "http-404", "ipxe-sanboot"],
                  "spec.pxeMode": ["", "bios", "uefi"]},
    },
    "ServerClass": {
        "group": "metal.sidero.dev", "plural": "serverclasses", "scope": "Cluster",
        "columns": SERVERCLASS_COLUMNS, "dir": "crds",
        "versions": {
            "v1alpha1": (False,
                         SERVERCLASS_COMMON
                         + expand("spec.qualifiers.cpu[]", ["manufacturer", "version"])
                         + expand("spec.qualifiers.systemInformation[]",
                                  ["manufacturer", "productName", "version", "serialNumber",
                                   "skuNumber", "family"]),
                         ["spec.configPatches[].value"]),
            "v1alpha2": (True,
                         SERVERCLASS_COMMON + ["spec.strategicPatches[]"]
                         + expand("spec.qualifiers.hardware[]", HARDWARE),
                         ["spec.configPatches[].value"]),
        },
        # Sidero validates no ServerClass (serverclass_webhook.go has no validator): any string.
        "enums": {"spec.bootFromDiskMethod": None},
    },
    "Environment": {
        "group": "metal.sidero.dev", "plural": "environments", "scope": "Cluster",
        "columns": ENVIRONMENT_COLUMNS, "dir": "crds",
        "versions": {
            "v1alpha1": (False, ENVIRONMENT, []),
            "v1alpha2": (True, ENVIRONMENT, []),
        },
    },
    "MetalCluster": {
        "group": "infrastructure.cluster.x-k8s.io", "plural": "metalclusters",
        "scope": "Namespaced", "categories": ["cluster-api"], "dir": "crds",
        "columns": [
            col("Cluster", CLUSTER_LABEL, "string"),
            col("Ready", ".status.ready", "boolean"),
            col("Endpoint", ".spec.controlPlaneEndpoint.host", "string", 1),
            AGE,
        ],
        "versions": {
            "v1alpha3": (True, expand("spec.controlPlaneEndpoint", ["host", "port"])
                         + ["status.ready"], []),
        },
        # Sidero's infrastructure.cluster.x-k8s.io_metalclusters.yaml.
        "required": {"status": ["ready"]},
    },
    "MetalMachine": {
        "group": "infrastructure.cluster.x-k8s.io", "plural": "metalmachines",
        "scope": "Namespaced", "categories": ["cluster-api"], "dir": "crds",
        "columns": [
            col("Ready", ".status.ready", "string"),
            col("Cluster", CLUSTER_LABEL, "string", 1),
            col("Machine", '.metadata.ownerReferences[?(@.kind=="Machine")].name', "string", 1),
            col("Server", ".spec.serverRef.name", "string", 1),
            AGE,
        ],
        "versions": {
            "v1alpha3": (True,
                         METALMACHINE_SPEC
                         + expand("status", ["ready", "failureReason", "failureMessage"])
                         + expand("status.addresses[]", ["type", "address"])
                         + expand("status.conditions[]", CONDITION),
                         []),
        },
        # Cluster API's MachineAddressType, as in Sidero's
        # infrastructure.cluster.x-k8s.io_metalmachines.yaml.
        "enums": {"status.addresses[].type": ["Hostname", "ExternalIP", "InternalIP",
                                              "ExternalDNS", "InternalDNS"]},
    },
    "MetalMachineTemplate": {
        "group": "infrastructure.cluster.x-k8s.io", "plural": "metalmachinetemplates",
        "scope": "Namespaced", "categories": ["cluster-api"], "dir": "crds",
        "columns": [],
        "versions": {
            "v1alpha3": (True, ["spec.template.spec." + p[len("spec."):]
                                for p in METALMACHINE_SPEC], []),
        },
    },
    "ServerBinding": {
        "group": "infrastructure.cluster.x-k8s.io", "plural": "serverbindings",
        "scope": "Cluster", "dir": "crds",
        "columns": [
            col("Ready", ".status.ready", "string"),
            col("Server", ".metadata.name", "string", 1),
            col("ServerClass", ".spec.serverClassRef.name", "string", 1),
            col("MetalMachine", ".spec.metalMachineRef.name", "string", 1),
            col("Cluster", CLUSTER_LABEL, "string", 1),
            AGE,
        ],
        "versions": {
            "v1alpha3": (True,
                         expand("spec.serverClassRef", OBJECT_REF)
                         + expand("spec.metalMachineRef", OBJECT_REF)
                         + expand("spec.siderolink", ["address", "publicKey"])
                         + ["spec.addresses[]", "spec.hostname", "status.ready"]
                         + expand("status.conditions[]", CONDITION),
                         []),
        },
        "required": {"spec": ["metalMachineRef"]},
    },
    "Cluster": {
        "group": "cluster.x-k8s.io", "plural": "clusters", "scope": "Namespaced",
        "shortNames": ["cl"], "categories": ["cluster-api"], "dir": "crds-capi",
        "columns": [
            col("ClusterClass", ".spec.topology.class", "string"),
            col("Phase", ".status.phase", "string"),
            AGE,
            col("Version", ".spec.topology.version", "string"),
        ],
        "versions": {
            "v1beta1": (True,
                        ["spec.paused", "spec.controlPlaneEndpoint.host",
                         "spec.controlPlaneEndpoint.port", "status.infrastructureReady",
                         "status.controlPlaneReady", "status.phase"]
                        + expand("spec.infrastructureRef", OBJECT_REF)
                        + expand("spec.controlPlaneRef", OBJECT_REF),
                        # Minimal schema: everything Ferrum does not read is kept as is.
                        ["spec", "status", "spec.clusterNetwork", "spec.topology"]),
        },
    },
    "Machine": {
        "group": "cluster.x-k8s.io", "plural": "machines", "scope": "Namespaced",
        "shortNames": ["ma"], "categories": ["cluster-api"], "dir": "crds-capi",
        "columns": [
            col("Cluster", ".spec.clusterName", "string"),
            col("NodeName", ".status.nodeRef.name", "string"),
            col("ProviderID", ".spec.providerID", "string"),
            col("Phase", ".status.phase", "string"),
            AGE,
            col("Version", ".spec.version", "string"),
        ],
        "versions": {
            "v1beta1": (True,
                        ["spec.clusterName", "spec.bootstrap.dataSecretName", "spec.providerID",
                         "spec.version", "status.phase", "status.nodeRef.name"]
                        + expand("spec.bootstrap.configRef", OBJECT_REF)
                        + expand("spec.infrastructureRef", OBJECT_REF),
                        ["spec", "status"]),
        },
    },
}

# Note for Server/ServerClass/Environment: Sidero stored memory/storage totalSize as strings
# ("16 GB"); the agent API carries numbers and ferrum-registry formats them.

# ---------------------------------------------------------------------------------------------


class Report:
    def __init__(self):
        self.errors = []

    def fail(self, where, message):
        self.errors.append(f"{where}: {message}")


def load_crds(chart):
    crds = []
    for sub in ("crds", "crds-capi"):
        for path in sorted(glob.glob(os.path.join(chart, sub, "*.yaml"))):
            with open(path, encoding="utf-8") as f:
                for doc in yaml.safe_load_all(f):
                    if doc is not None:
                        crds.append((sub, os.path.relpath(path, chart), doc))
    return crds


def check_structural(node, path, where, report, preserve_allowed):
    """Every node has a type unless it (or an ancestor) preserves unknown fields or is
    int-or-string; properties/items/additionalProperties recurse."""
    if not isinstance(node, dict):
        report.fail(where, f"{path or '<root>'}: schema node is not a mapping")
        return
    preserve = node.get("x-kubernetes-preserve-unknown-fields") is True
    if preserve and path not in preserve_allowed:
        report.fail(where, f"{path or '<root>'}: x-kubernetes-preserve-unknown-fields where the "
                           "contract has no free-form value")
    int_or_string = node.get("x-kubernetes-int-or-string") is True
    type_ = node.get("type")
    if type_ is None and not (preserve or int_or_string):
        report.fail(where, f"{path or '<root>'}: missing type (schema is not structural)")
    if type_ is not None and type_ not in ("object", "array", "string", "integer", "number",
                                           "boolean"):
        report.fail(where, f"{path}: unknown type {type_!r}")
    for forbidden in ("$ref", "allOf", "anyOf", "oneOf", "not"):
        if forbidden in node and path == "":
            report.fail(where, f"<root>: {forbidden} at the root is not structural")
    if "$ref" in node:
        report.fail(where, f"{path}: $ref is not allowed in CRD schemas")
    props = node.get("properties")
    if props is not None:
        if type_ != "object":
            report.fail(where, f"{path}: properties on a non-object")
        if "additionalProperties" in node:
            report.fail(where, f"{path}: properties and additionalProperties together")
        for name, child in props.items():
            check_structural(child, f"{path}.{name}" if path else name, where, report,
                             preserve_allowed)
        for name in node.get("required", []):
            if name not in props:
                report.fail(where, f"{path}: required field {name!r} is not a property")
    if "items" in node:
        if type_ != "array":
            report.fail(where, f"{path}: items on a non-array")
        check_structural(node["items"], f"{path}[]", where, report, preserve_allowed)
    elif type_ == "array":
        report.fail(where, f"{path}: array without items")
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        check_structural(extra, f"{path}{{}}", where, report, preserve_allowed)


def lookup(schema, field_path):
    node = schema
    for segment in field_path.split("."):
        is_array = segment.endswith("[]")
        name = segment[:-2] if is_array else segment
        node = (node.get("properties") or {}).get(name)
        if node is None:
            return None
        if is_array:
            if node.get("type") != "array":
                return None
            node = node.get("items")
            if node is None:
                return None
    return node


def check_labels(kind, labels, where, report):
    for key, value in PROVIDER_LABELS.items():
        if labels.get(key) != value:
            report.fail(where, f"label {key}={labels.get(key)!r}, want {value!r}")
    if (MOVE_LABEL in labels) != (kind in MOVED_KINDS):
        report.fail(where, f"label {MOVE_LABEL} {'missing' if kind in MOVED_KINDS else 'unexpected'}")
    elif kind in MOVED_KINDS and labels[MOVE_LABEL] != "":
        report.fail(where, f"label {MOVE_LABEL}={labels[MOVE_LABEL]!r}, want ''")
    if MOVE_HIERARCHY_LABEL in labels:
        report.fail(where, f"label {MOVE_HIERARCHY_LABEL}: Sidero moves no hierarchy by label")


def check_crd(sub, path, crd, report, seen):
    where = path
    if crd.get("apiVersion") != "apiextensions.k8s.io/v1":
        report.fail(where, f"apiVersion is {crd.get('apiVersion')!r}, want apiextensions.k8s.io/v1")
    if crd.get("kind") != "CustomResourceDefinition":
        report.fail(where, f"kind is {crd.get('kind')!r}, want CustomResourceDefinition")
        return
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    kind = names.get("kind")
    expected = EXPECTED.get(kind)
    if expected is None:
        report.fail(where, f"unexpected kind {kind!r}")
        return
    where = f"{path} ({kind})"
    if kind in seen:
        report.fail(where, f"{kind} defined twice (also in {seen[kind]})")
    seen[kind] = path
    if sub != expected["dir"]:
        report.fail(where, f"belongs in {expected['dir']}/, found in {sub}/")
    if expected["dir"] == "crds":
        check_labels(kind, (crd.get("metadata") or {}).get("labels") or {}, where, report)

    group, plural = spec.get("group"), names.get("plural")
    if group != expected["group"]:
        report.fail(where, f"group {group!r}, want {expected['group']!r}")
    if plural != expected["plural"]:
        report.fail(where, f"plural {plural!r}, want {expected['plural']!r}")
    name = (crd.get("metadata") or {}).get("name")
    if name != f"{plural}.{group}":
        report.fail(where, f"metadata.name {name!r}, want {plural}.{group}")
    if names.get("singular") != kind.lower():
        report.fail(where, f"singular {names.get('singular')!r}, want {kind.lower()!r}")
    if names.get("listKind") != kind + "List":
        report.fail(where, f"listKind {names.get('listKind')!r}, want {kind}List")
    if names.get("shortNames", []) != expected.get("shortNames", []):
        report.fail(where, f"shortNames {names.get('shortNames')}, want "
                           f"{expected.get('shortNames', [])}")
    if names.get("categories", []) != expected.get("categories", []):
        report.fail(where, f"categories {names.get('categories')}, want "
                           f"{expected.get('categories', [])}")
    if spec.get("scope") != expected["scope"]:
        report.fail(where, f"scope {spec.get('scope')!r}, want {expected['scope']!r}")
    conversion = (spec.get("conversion") or {}).get("strategy", "None")
    if conversion != "None":
        report.fail(where, f"conversion strategy {conversion!r}: ferrum-apiserver converts itself")

    versions = spec.get("versions") or []
    by_name = {v.get("name"): v for v in versions}
    if set(by_name) != set(expected["versions"]):
        report.fail(where, f"versions {sorted(by_name)}, want {sorted(expected['versions'])}")
    storage = [v.get("name") for v in versions if v.get("storage") is True]
    if len(storage) != 1:
        report.fail(where, f"{len(storage)} storage versions {storage}, want exactly one")

    for vname, (want_storage, fields, preserve_allowed) in expected["versions"].items():
        version = by_name.get(vname)
        if version is None:
            continue
        vwhere = f"{where} {vname}"
        if bool(version.get("storage")) != want_storage:
            report.fail(vwhere, f"storage is {version.get('storage')}, want {want_storage}")
        if version.get("served") is not True:
            report.fail(vwhere, "not served")
            continue
        if (version.get("subresources") or {}).get("status") != {}:
            report.fail(vwhere, "status subresource missing")
        columns = [
            {"name": c.get("name"), "jsonPath": c.get("jsonPath"), "type": c.get("type"),
             "priority": c.get("priority", 0)}
            for c in version.get("additionalPrinterColumns") or []
        ]
        if columns != expected["columns"]:
            report.fail(vwhere, "additionalPrinterColumns differ:\n    got  "
                        + "\n         ".join(map(str, columns)) + "\n    want "
                        + "\n         ".join(map(str, expected["columns"])))
        schema = ((version.get("schema") or {}).get("openAPIV3Schema"))
        if not isinstance(schema, dict):
            report.fail(vwhere, "schema.openAPIV3Schema missing")
            continue
        if schema.get("type") != "object":
            report.fail(vwhere, "<root>: type must be object")
        metadata = (schema.get("properties") or {}).get("metadata")
        if metadata != {"type": "object"}:
            report.fail(vwhere, f"metadata schema must be exactly {{type: object}}, got {metadata}")
        check_structural(schema, "", vwhere, report, set(preserve_allowed))
        for field in fields:
            node = lookup(schema, field)
            if node is None:
                report.fail(vwhere, f"{field}: field of DESIGN.md 3 missing from the schema")
        for parent, required in expected.get("required", {}).items():
            node = lookup(schema, parent)
            missing = [r for r in required if r not in (node or {}).get("required", [])]
            if missing:
                report.fail(vwhere, f"{parent}: {missing} must be required")
        for field, values in expected.get("enums", {}).items():
            got = (lookup(schema, field) or {}).get("enum")
            if got != values:
                report.fail(vwhere, f"{field}: enum {got}, want {values}")


def check(chart):
    report = Report()
    crds = load_crds(chart)
    seen = {}
    for sub, path, crd in crds:
        check_crd(sub, path, crd, report, seen)
    for kind in EXPECTED:
        if kind not in seen:
            report.fail(chart, f"no CRD for kind {kind}")
    return len(crds), report


def self_test(chart):
    """Each mutation must make check() fail; otherwise the checker has a blind spot."""
    crds = load_crds(chart)

    def find(kind):
        for sub, path, crd in crds:
            if crd["spec"]["names"]["kind"] == kind:
                return sub, path, crd
        raise KeyError(kind)

    def version(crd, name):
        return next(v for v in crd["spec"]["versions"] if v["name"] == name)

    def props(node, *names):
        for name in names:
            node = node["properties"][name]
        return node

    def root(crd, v):
        return version(crd, v)["schema"]["openAPIV3Schema"]

    mutations = {
        "type removed": lambda c: props(root(c["Server"], "v1alpha2"), "spec", "hostname")
        .pop("type"),
        "deep type removed": lambda c: props(root(c["Server"], "v1alpha2"), "spec", "hardware",
                                             "storage", "devices")["items"]["properties"]["wwid"]
        .pop("type"),
        "field removed": lambda c: props(root(c["ServerBinding"], "v1alpha3"), "spec",
                                         "siderolink")["properties"].pop("publicKey"),
        "column jsonPath changed": lambda c: version(c["Server"], "v1alpha2")
        ["additionalPrinterColumns"][4].update(jsonPath=".status.ready"),
        "wide column priority dropped": lambda c: version(c["Server"], "v1alpha1")
        ["additionalPrinterColumns"][1].pop("priority"),
        "second storage version": lambda c: version(c["Server"], "v1alpha1")
        .update(storage=True),
        "status subresource dropped": lambda c: version(c["Environment"], "v1alpha1")
        .pop("subresources"),
        "wrong name": lambda c: c["ServerClass"]["metadata"].update(name="serverclass.metal"),
        "stray preserve-unknown-fields": lambda c: props(root(c["Server"], "v1alpha2"), "spec",
                                                         "bmc")
        .update({"x-kubernetes-preserve-unknown-fields": True}),
        "scope changed": lambda c: c["ServerBinding"]["spec"].update(scope="Namespaced"),
        "category dropped": lambda c: c["MetalMachine"]["spec"]["names"].pop("categories"),
        "metalMachineRef optional": lambda c: props(root(c["ServerBinding"], "v1alpha3"), "spec")
        .pop("required"),
        "contract label dropped": lambda c: c["MetalMachine"]["metadata"]["labels"]
        .pop("cluster.x-k8s.io/v1beta1"),
        "contract label value changed": lambda c: c["MetalCluster"]["metadata"]["labels"]
        .update({"cluster.x-k8s.io/v1beta1": "v1beta1"}),
        "labels dropped": lambda c: c["ServerBinding"]["metadata"].pop("labels"),
        "provider label dropped": lambda c: c["MetalMachineTemplate"]["metadata"]["labels"]
        .pop("cluster.x-k8s.io/provider"),
        "clusterctl label dropped": lambda c: c["Environment"]["metadata"]["labels"]
        .pop("clusterctl.cluster.x-k8s.io"),
        "move label dropped": lambda c: c["ServerClass"]["metadata"]["labels"]
        .pop(MOVE_LABEL),
        "stray move label": lambda c: c["MetalMachine"]["metadata"]["labels"]
        .update({MOVE_LABEL: ""}),
        "Age column dropped": lambda c: version(c["MetalCluster"], "v1alpha3")
        ["additionalPrinterColumns"].pop(),
        "status.ready optional": lambda c: props(root(c["MetalCluster"], "v1alpha3"), "status")
        .pop("required"),
        "address type enum dropped": lambda c: props(root(c["MetalMachine"], "v1alpha3"),
                                                     "status", "addresses")["items"]
        ["properties"]["type"].pop("enum"),
        "empty bootFromDiskMethod refused": lambda c: props(root(c["Server"], "v1alpha1"),
                                                           "spec", "bootFromDiskMethod")
        ["enum"].remove(""),
        "ServerClass bootFromDiskMethod enum": lambda c: props(root(c["ServerClass"], "v1alpha2"),
                                                               "spec", "bootFromDiskMethod")
        .update(enum=["ipxe-exit"]),
    }
    import tempfile
    failures = []
    for label, mutate in mutations.items():
        docs = {crd["spec"]["names"]["kind"]: copy.deepcopy(crd) for _, _, crd in crds}
        mutate(docs)
        with tempfile.TemporaryDirectory() as tmp:
            for sub, path, crd in crds:
                out = os.path.join(tmp, path)
                os.makedirs(os.path.dirname(out), exist_ok=True)
                with open(out, "w", encoding="utf-8") as f:
                    yaml.safe_dump(docs[crd["spec"]["names"]["kind"]], f)
            _, report = check(tmp)
        if not report.errors:
            failures.append(label)
    _, baseline = check(chart)
    if baseline.errors:
        failures.append("baseline manifests do not pass")
    return len(mutations), failures


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    chart = argv[1]
    if "--self-test" in argv[2:]:
        count, failures = self_test(chart)
        for label in failures:
            print(f"crds self-test: mutation not detected: {label}", file=sys.stderr)
        print(f"crds self-test: {count} mutations, {count - len(failures)} detected")
        return 1 if failures else 0
    count, report = check(chart)
    for error in report.errors:
        print(f"FAIL {error}", file=sys.stderr)
    print(f"crds: {count} checked, {len(report.errors)} problems")
    return 1 if report.errors or count == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
