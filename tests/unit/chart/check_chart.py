#!/usr/bin/python3
"""Renders charts/ferrum with tests/unit/chart/render.go and checks the manifests against the
real daemons and their code.

Usage: check_chart.py --render BIN --src DIR --bin DIR [--self-test]

For each scenario (the required values only; a values override changing ports, namespaces,
host networking and names) it checks:
  - every document parses and has apiVersion, kind, metadata.name; no two share a name;
  - every enabled daemon has its Deployment, Service and ServiceAccount, wired to each other
    (serviceAccountName, selectors), and nothing is ferrum-apiserver;
  - every `--flag` in a container's args and every FERRUM_* variable is a flag that
    `build/bin/ferrum-<daemon> --help` lists, and its value fits the type --help gives
    (int, bool, duration, one of a|b|c), so Helm's float64 numbers (1e+09) are caught;
  - every Service port targets a container port whose number is the one the daemon's listen
    flag binds (--listen, --api-listen, --wireguard-port, --admin-listen), same protocol;
  - probes are /healthz (startup, liveness) and /readyz (readiness) on the --admin-listen port,
    and prometheus.io/port names that port;
  - containers are non-root with a read-only root file system, no privilege escalation, all
    capabilities dropped, except the listed ones (tftpd on the host network, linkd);
  - the RBAC bound to each daemon's ServiceAccount is exactly tests/unit/chart/rbac.yaml (no
    missing and no extra verb, resource or scope), and that list matches the Kubernetes
    resources services/<dir>/ refers to (model kinds, kube::resources, EventRecorder, the
    installation Secret watch, LeaderElector, status writes), both ways.
It also checks that the defaults alone fail naming endpoints.api, and that bad values fail.

--self-test breaks the chart and the rendered manifests in known ways (a typo'd flag in a
template, a wrong port, a probe path, a missing verb, an extra verb, a lost Deployment, a
float-rendered number, a new resource in the code) and fails unless each break is caught.
"""

import argparse
import copy
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))

# daemon -> values key
DAEMONS = {
    "tftpd": "tftpd",
    "ipxe-http": "ipxeHttp",
    "metadata": "metadata",
    "registry": "registry",
    "linkd": "linkd",
    "bmcd": "bmcd",
    "reconciler": "reconciler",
}

# Which flag binds which named container port (host:port flags, or a bare port number).
LISTEN_FLAGS = {
    "tftpd": {"tftp": "listen"},
    "ipxe-http": {"http": "listen"},
    "metadata": {"http": "listen"},
    "registry": {"grpc": "listen"},
    "linkd": {"grpc": "api-listen", "wireguard": "wireguard-port"},
    "bmcd": {"grpc": "listen"},
    "reconciler": {},
}

# Capabilities a daemon may add, and why; anything else must drop everything and run non-root.
ALLOWED_CAPS = {"tftpd": {"NET_BIND_SERVICE"}, "linkd": {"NET_ADMIN"}}

KIND_RESOURCES = {
    "Server": ("metal.sidero.dev", "servers"),
    "ServerClass": ("metal.sidero.dev", "serverclasses"),
    "Environment": ("metal.sidero.dev", "environments"),
    "MetalCluster": ("infrastructure.cluster.x-k8s.io", "metalclusters"),
    "MetalMachine": ("infrastructure.cluster.x-k8s.io", "metalmachines"),
    "MetalMachineTemplate": ("infrastructure.cluster.x-k8s.io", "metalmachinetemplates"),
    "ServerBinding": ("infrastructure.cluster.x-k8s.io", "serverbindings"),
    "Cluster": ("cluster.x-k8s.io", "clusters"),
    "Machine": ("cluster.x-k8s.io", "machines"),
    "Secret": ("", "secrets"),
}
CLIENT_RESOURCES = {
    "leases": ("coordination.k8s.io", "leases"),
    "events": ("", "events"),
    "secrets": ("", "secrets"),
    "config_maps": ("", "configmaps"),
    "namespaces": ("", "namespaces"),
}

REQUIRED_VALUES = {"endpoints": {"api": "192.0.2.10", "wireguard": "192.0.2.10"}}


class Failures:
    def __init__(self):
        self.items = []

    def add(self, msg):
        self.items.append(msg)


# --------------------------------------------------------------------------------------------
# Rendering


def render(renderer, chart, values_list, release="ferrum", namespace="ferrum-system"):
    """Returns (docs, notes) or raises RuntimeError with the renderer's message."""
    with tempfile.TemporaryDirectory() as tmp:
        args = [renderer, "-chart", chart, "-release", release, "-namespace", namespace,
                "-notes", os.path.join(tmp, "NOTES.txt")]
        for i, v in enumerate(values_list):
            path = os.path.join(tmp, f"values{i}.yaml")
            with open(path, "w") as f:
                yaml.safe_dump(v, f)
            args += ["-values", path]
        p = subprocess.run(args, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(p.stderr.strip())
        docs = [d for d in yaml.safe_load_all(p.stdout) if d is not None]
        with open(os.path.join(tmp, "NOTES.txt")) as f:
            notes = f.read()
    return docs, notes


def merged_values(chart, overrides):
    with open(os.path.join(chart, "values.yaml")) as f:
        values = yaml.safe_load(f)

    def merge(dst, src):
        for k, v in src.items():
            if v is None:
                dst.pop(k, None)
            elif isinstance(v, dict) and isinstance(dst.get(k), dict):
                merge(dst[k], v)
            else:
                dst[k] = v

    for o in overrides:
        merge(values, o)
    return values


# --------------------------------------------------------------------------------------------
# The daemons' flags, from their --help


FLAG_LINE = re.compile(r"^  --([a-z0-9][a-z0-9-]*)(?: (\S+))?\s*$")


def help_flags(bin_dir, daemon, cache={}):
    """{flag: type hint} from `ferrum-<daemon> --help`."""
    if daemon not in cache:
        exe = os.path.join(bin_dir, f"ferrum-{daemon}")
        p = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=30)
        if p.returncode != 0:
            raise RuntimeError(f"{exe} --help exited {p.returncode}: {p.stderr}")
        flags = {}
        for line in p.stdout.splitlines():
            m = FLAG_LINE.match(line)
            if m:
                flags[m.group(1)] = m.group(2) or "bool"
        if len(flags) < 5:
            raise RuntimeError(f"{exe} --help lists only {sorted(flags)}")
        cache[daemon] = flags
    return cache[daemon]


DURATION = re.compile(r"^(\d+(ms|s|m|h))+$")


def value_error(hint, value):
    """Why `value` does not fit the --help type hint, or None."""
    if hint == "int":
        return None if re.fullmatch(r"-?\d+", value) else "not an integer"
    if hint == "bool":
        return None if value in ("true", "false") else "not true|false"
    if hint == "duration":
        return None if DURATION.match(value) else "not a duration (500ms, 30s, 5m, 1h30m)"
    if "|" in hint:
        return None if value in hint.split("|") else f"not one of {hint}"
    return None  # string, a,b,...


def parse_args(args):
    """[(flag, value or None)] from --name=value / --name value / --name."""
    out = []
    i = 0
    while i < len(args):
        a = str(args[i])
        if not a.startswith("--"):
            out.append((None, a))
            i += 1
            continue
        body = a[2:]
        if "=" in body:
            name, value = body.split("=", 1)
        elif i + 1 < len(args) and not str(args[i + 1]).startswith("--"):
            name, value = body, str(args[i + 1])
            i += 1
        else:
            name, value = body, None
        out.append((name, value))
        i += 1
    return out


def port_of(value):
    m = re.search(r":(\d+)$", value)
    if m:
        return int(m.group(1))
    if re.fullmatch(r"\d+", value):
        return int(value)
    return None


# --------------------------------------------------------------------------------------------
# Checks on one rendered release


def index(docs, fails):
    by_key = {}
    for i, d in enumerate(docs):
        if not isinstance(d, dict):
            fails.add(f"document {i} is not a mapping")
            continue
        for k in ("apiVersion", "kind"):
            if not d.get(k):
                fails.add(f"document {i} has no {k}")
        name = (d.get("metadata") or {}).get("name")
        if not name:
            fails.add(f"document {i} ({d.get('kind')}) has no metadata.name")
            continue
        key = (d.get("kind"), (d.get("metadata") or {}).get("namespace", ""), name)
        if key in by_key:
            fails.add(f"{key} appears twice")
        by_key[key] = d
    return by_key


def find(by_key, kind, name):
    for (k, _ns, n), d in by_key.items():
        if k == kind and n == name:
            return d
    return None


def check_daemon(daemon, values, by_key, bin_dir, prefix, fails):
    cfg = values[DAEMONS[daemon]]
    name = f"{prefix}-{daemon}"
    what = f"{daemon}"
    dep = find(by_key, "Deployment", name)
    svc = find(by_key, "Service", name)
    sa = find(by_key, "ServiceAccount", name)
    for kind, obj in (("Deployment", dep), ("Service", svc), ("ServiceAccount", sa)):
        if obj is None:
            fails.add(f"{what}: no {kind} {name}")
    if dep is None:
        return
    spec = dep["spec"]
    pod = spec["template"]["spec"]
    pod_labels = spec["template"]["metadata"].get("labels", {})
    if pod.get("serviceAccountName") != name:
        fails.add(f"{what}: serviceAccountName {pod.get('serviceAccountName')!r} is not {name}")
    for k, v in spec["selector"]["matchLabels"].items():
        if pod_labels.get(k) != v:
            fails.add(f"{what}: Deployment selector {k}={v} does not match the pod labels")
    if spec.get("replicas") != cfg["replicas"]:
        fails.add(f"{what}: replicas {spec.get('replicas')} is not {cfg['replicas']}")
    containers = pod.get("containers", [])
    if len(containers) != 1:
        fails.add(f"{what}: {len(containers)} containers, expected 1")
        return
    c = containers[0]
    if not str(c.get("image", "")).split(":")[0].endswith(f"/ferrum-{daemon}"):
        fails.add(f"{what}: image {c.get('image')} is not ferrum-{daemon}")

    # Flags: names from --help, values of the type --help gives.
    flags = help_flags(bin_dir, daemon)
    given = {}
    for flag, value in parse_args(c.get("args", [])):
        if flag is None:
            fails.add(f"{what}: positional argument {value!r}")
            continue
        if flag not in flags:
            fails.add(f"{what}: --{flag} is not a flag of ferrum-{daemon} (see its --help)")
            continue
        if value is None and flags[flag] != "bool":
            fails.add(f"{what}: --{flag} has no value")
            continue
        if value is not None:
            err = value_error(flags[flag], value)
            if err:
                fails.add(f"{what}: --{flag}={value}: {err}")
        given[flag] = value
    for env in c.get("env", []) or []:
        n = env.get("name", "")
        if n.startswith("FERRUM_"):
            flag = n[len("FERRUM_"):].lower().replace("_", "-")
            if flag not in flags:
                fails.add(f"{what}: env {n} is not a flag of ferrum-{daemon}")

    # Ports: the listen flags bind the container ports the Service targets.
    cports = {p["name"]: p for p in c.get("ports", [])}
    bound = {}
    if "admin-listen" not in given:
        fails.add(f"{what}: no --admin-listen")
    else:
        bound["admin"] = port_of(given["admin-listen"])
    for pname, flag in LISTEN_FLAGS[daemon].items():
        if flag not in given:
            fails.add(f"{what}: no --{flag}")
        else:
            bound[pname] = port_of(given[flag])
    for pname, port in bound.items():
        cp = cports.get(pname)
        if cp is None:
            fails.add(f"{what}: no container port named {pname}")
        elif cp.get("containerPort") != port:
            fails.add(f"{what}: container port {pname} is {cp.get('containerPort')}, "
                      f"but the daemon binds {port}")
    for pname in cports:
        if pname not in bound:
            fails.add(f"{what}: container port {pname} is bound by no flag")
    if svc is not None:
        for k, v in svc["spec"].get("selector", {}).items():
            if pod_labels.get(k) != v:
                fails.add(f"{what}: Service selector {k}={v} does not match the pod labels")
        for sp in svc["spec"].get("ports", []):
            target = sp.get("targetPort", sp.get("port"))
            cp = cports.get(target) if isinstance(target, str) else next(
                (p for p in cports.values() if p.get("containerPort") == target), None)
            if cp is None:
                fails.add(f"{what}: Service port {sp.get('name')} targets {target!r}, "
                          "which no container port is")
                continue
            if sp.get("protocol", "TCP") != cp.get("protocol", "TCP"):
                fails.add(f"{what}: Service port {sp.get('name')} is {sp.get('protocol')}, "
                          f"the container's is {cp.get('protocol')}")
        if daemon == "bmcd" and svc["spec"].get("type", "ClusterIP") != "ClusterIP":
            fails.add("bmcd: its Service must be ClusterIP")
        if not any(sp.get("targetPort") == "admin" for sp in svc["spec"].get("ports", [])):
            fails.add(f"{what}: the Service does not expose the admin port")

    # Probes on the admin port; Prometheus annotations name it.
    admin = bound.get("admin")
    for probe, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"),
                        ("readinessProbe", "/readyz")):
        pr = c.get(probe)
        if not pr or "httpGet" not in pr:
            fails.add(f"{what}: no httpGet {probe}")
            continue
        hg = pr["httpGet"]
        port = hg.get("port")
        port = cports.get(port, {}).get("containerPort") if isinstance(port, str) else port
        if port != admin or hg.get("path") != path:
            fails.add(f"{what}: {probe} is {hg.get('path')} on {port}, expected {path} on "
                      f"the admin port {admin}")
    ann = spec["template"]["metadata"].get("annotations", {})
    if ann.get("prometheus.io/scrape") != "true" or ann.get("prometheus.io/port") != str(admin):
        fails.add(f"{what}: prometheus.io annotations {ann} do not name the admin port {admin}")

    # Security: non-root, read-only, no escalation, capabilities dropped except the allowed.
    sc = c.get("securityContext", {})
    if sc.get("readOnlyRootFilesystem") is not True:
        fails.add(f"{what}: root file system is not read-only")
    if sc.get("allowPrivilegeEscalation") is not False:
        fails.add(f"{what}: privilege escalation is not off")
    if sc.get("privileged"):
        fails.add(f"{what}: privileged")
    caps = sc.get("capabilities", {})
    if "ALL" not in (caps.get("drop") or []):
        fails.add(f"{what}: capabilities are not all dropped")
    added = set(caps.get("add") or [])
    extra = added - ALLOWED_CAPS.get(daemon, set())
    if extra:
        fails.add(f"{what}: adds capabilities {sorted(extra)}")
    pod_sc = pod.get("securityContext", {})
    run_as = sc.get("runAsUser", pod_sc.get("runAsUser"))
    non_root = sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot"))
    if not added and (run_as == 0 or non_root is not True):
        fails.add(f"{what}: runs as root without needing a capability")
    if daemon == "tftpd" and added and not pod.get("hostNetwork"):
        fails.add("tftpd: adds NET_BIND_SERVICE without hostNetwork (it binds a high port)")
    return given


def effective_rbac(by_key, sa_name, sa_ns, fails):
    """{(group, resource, verb, scope)} granted to the ServiceAccount; scope "*" = cluster."""
    grants = set()
    for (kind, ns, name), b in by_key.items():
        if kind not in ("RoleBinding", "ClusterRoleBinding"):
            continue
        if not any(s.get("kind") == "ServiceAccount" and s.get("name") == sa_name
                   and s.get("namespace") == sa_ns for s in b.get("subjects", [])):
            continue
        ref = b["roleRef"]
        role = None
        for (k2, ns2, n2), r in by_key.items():
            if k2 == ref["kind"] and n2 == ref["name"] and (k2 == "ClusterRole" or ns2 == ns):
                role = r
        if role is None:
            fails.add(f"{kind} {name} refers to a missing {ref['kind']} {ref['name']}")
            continue
        scope = "*" if kind == "ClusterRoleBinding" else ns
        for rule in role.get("rules", []):
            if rule.get("resourceNames"):
                fails.add(f"{ref['name']}: resourceNames are not modelled by this test")
            for g in rule.get("apiGroups", []):
                for res in rule.get("resources", []):
                    for v in rule.get("verbs", []):
                        if "*" in (g, res, v):
                            fails.add(f"{ref['name']}: wildcard in a rule")
                        grants.add((g, res, v, scope))
    return grants


def expected_rbac(spec, values, namespace):
    link = values.get("linkSecret") or f"{namespace}/siderolink"
    scopes = {
        "cluster": "*",
        "release": namespace,
        "linkSecret": link.split("/")[0],
        "bmcSecret": values["registry"].get("bmcSecretNamespace") or namespace,
        "default": "default",
    }
    want = set()
    for r in spec.get("rules", []):
        if "when" in r:
            v = values
            for part in r["when"].split("."):
                v = v.get(part) if isinstance(v, dict) else None
            if not v:
                continue
        for verb in r["verbs"]:
            want.add((r["group"], r["resource"], verb, scopes[r["scope"]]))
    return want


def check_rbac(daemon, spec, values, by_key, prefix, namespace, fails):
    granted = effective_rbac(by_key, f"{prefix}-{daemon}", namespace, fails)
    want = expected_rbac(spec, values, namespace)

    def covered(g, grants):
        grp, res, verb, scope = g
        return g in grants or (grp, res, verb, "*") in grants

    for w in sorted(want):
        if not covered(w, granted):
            fails.add(f"{daemon}: RBAC does not grant {w[2]} {w[1]} ({w[0] or 'core'}) "
                      f"{'cluster-wide' if w[3] == '*' else 'in ' + w[3]}")
    for g in sorted(granted):
        if not covered(g, want):
            fails.add(f"{daemon}: RBAC grants {g[2]} {g[1]} ({g[0] or 'core'}) "
                      f"{'cluster-wide' if g[3] == '*' else 'in ' + g[3]}, "
                      "which tests/unit/chart/rbac.yaml does not list")
    sa = find(by_key, "ServiceAccount", f"{prefix}-{daemon}")
    if not spec.get("rules") and sa is not None and sa.get("automountServiceAccountToken") is not False:
        fails.add(f"{daemon}: talks to no API but its ServiceAccount mounts a token")


# --------------------------------------------------------------------------------------------
# What the code uses


def code_resources(src_dir, sources=None):
    """{(group, resource)} the daemon's code refers to, and whether it writes a status."""
    used = set()
    status = False
    texts = sources if sources is not None else [
        open(p).read() for p in sorted(glob.glob(os.path.join(src_dir, "*.[ch]pp")))]
    for text in texts:
        text = re.sub(r"//[^\n]*", "", text)
        for kind in re.findall(r"model::k([A-Z][A-Za-z]*)\b", text):
            if kind in KIND_RESOURCES:
                used.add(KIND_RESOURCES[kind])
        for fn in re.findall(r"resources::([a-z_]+)\(\)", text):
            if fn in CLIENT_RESOURCES:
                used.add(CLIENT_RESOURCES[fn])
        if re.search(r"\bEventRecorder\b", text):
            used.add(CLIENT_RESOURCES["events"])
        # libs/common's watch of ferrum-linkd's installation Secret (siderolink_secret.hpp).
        if re.search(r"\binstallation_secret_watch\(", text):
            used.add(KIND_RESOURCES["Secret"])
        if re.search(r"\bLeaderElector\b", text):
            used.add(CLIENT_RESOURCES["leases"])
        if re.search(r"\bupdate_status(_as)?\(", text):
            status = True
    return used, status


def check_code(daemon, spec, src_root, fails, sources=None):
    used, status = code_resources(os.path.join(src_root, "services", spec["dir"]), sources)
    listed = {(r["group"], r["resource"].split("/")[0]) for r in spec.get("rules", [])}
    waived = {(w["group"], w["resource"]) for w in spec.get("waived", [])}
    for u in sorted(used - listed - waived):
        fails.add(f"{daemon}: services/{spec['dir']} uses {u[1]} ({u[0] or 'core'}), which "
                  "tests/unit/chart/rbac.yaml (and the chart's RBAC) does not list")
    for l in sorted(listed - used):
        fails.add(f"{daemon}: rbac.yaml lists {l[1]} ({l[0] or 'core'}), which "
                  f"services/{spec['dir']} never refers to")
    has_status = any(r["resource"].endswith("/status") for r in spec.get("rules", []))
    if status != has_status:
        fails.add(f"{daemon}: the code {'writes' if status else 'writes no'} status "
                  f"subresources but rbac.yaml {'lists none' if status else 'lists some'}")


# --------------------------------------------------------------------------------------------


def check_release(docs, notes, values, bin_dir, rbac, namespace, fails):
    by_key = index(docs, fails)
    prefix = values.get("nameOverride") or "ferrum"
    for d in docs:
        text = yaml.safe_dump(d)
        if "ferrum-apiserver" in text:
            fails.add(f"{d.get('kind')} {d['metadata'].get('name')} mentions ferrum-apiserver")
    if "does not include ferrum-apiserver" not in notes:
        fails.add("NOTES.txt does not say the chart does not include ferrum-apiserver")
    for daemon, key in DAEMONS.items():
        if not values[key].get("enabled"):
            if find(by_key, "Deployment", f"{prefix}-{daemon}") is not None:
                fails.add(f"{daemon}: disabled but rendered")
            continue
        check_daemon(daemon, values, by_key, bin_dir, prefix, fails)
        check_rbac(daemon, rbac[daemon], values, by_key, prefix, namespace, fails)
    rec = find(by_key, "Deployment", f"{prefix}-reconciler")
    if rec is not None:
        args = dict(parse_args(rec["spec"]["template"]["spec"]["containers"][0]["args"]))
        want = f"{prefix}-bmcd.{namespace}.svc:{values['bmcd']['port']}"
        if args.get("bmcd-endpoint") != want:
            fails.add(f"reconciler: --bmcd-endpoint={args.get('bmcd-endpoint')}, expected {want}")
    return by_key


OVERRIDE = {
    "nameOverride": "rack1",
    "image": {"repository": "registry.example/ferrum", "tag": "9.9.9", "pullPolicy": "Always"},
    "endpoints": {"api": "10.1.0.5", "apiPort": 80, "registry": "10.1.0.6:50100",
                  "linkServerAddress": "fdae:41e4:649b:9303::1", "wireguard": "10.1.0.7"},
    "linkSecret": "ferrum-link/siderolink",
    "log": {"level": "debug", "format": "text"},
    "tftpd": {"hostNetwork": True, "singlePort": False, "maxBlksize": 8192,
              "rootVolume": {"hostPath": {"path": "/srv/tftp"}},
              "nodeSelector": {"ferrum.dev/pxe": "true"}, "extraArgs": ["--threads=2"]},
    "ipxeHttp": {"port": 8090, "adminPort": 9500, "assetMaxBytes": 4294967296,
                 "extraAgentKernelArgs": "console=ttyS1,115200 ip=dhcp",
                 "agentVolume": {"persistentVolumeClaim": {"claimName": "agent"}},
                 "service": {"type": "LoadBalancer", "loadBalancerIP": "10.1.0.5"}},
    "metadata": {"bootstrapSecretSelector": "", "port": 9092, "replicas": 3},
    "registry": {"bmcSecretNamespace": "bmc-creds", "autoAcceptServers": True, "port": 50101,
                 "service": {"type": "LoadBalancer", "externalIPs": ["10.1.0.6"]}},
    "linkd": {"hostNetwork": True, "wireguardBackend": "kernel", "wireguardPort": 51900,
              "joinToken": "s3cret", "negativeAddressFilter": ["10.0.0.0/8", "fd00::/8"]},
    "bmcd": {"port": 50121, "hostNetwork": True, "tolerations": [
        {"key": "bmc-net", "operator": "Exists", "effect": "NoSchedule"}]},
    "reconciler": {"replicas": 3, "defaultEnvironment": {
        "kernelUrl": "http://mirror/vmlinuz", "initrdUrl": "http://mirror/initramfs.xz",
        "args": "console=ttyS0 talos.platform=metal"}},
}

SCENARIOS = [
    ("required values", [REQUIRED_VALUES], "ferrum-system"),
    ("override", [OVERRIDE], "metal"),
    ("ipxe-http, linkd, tftpd off", [REQUIRED_VALUES, {
        "ipxeHttp": {"enabled": False}, "linkd": {"enabled": False},
        "tftpd": {"enabled": False}}], "ferrum-system"),
]

# Values that must fail to render, and a word the message must contain.
BAD_VALUES = [
    ({}, "endpoints.api"),
    ({"endpoints": {"api": "10.0.0.1"}}, "endpoints.wireguard"),
    ([REQUIRED_VALUES, {"tftpd": {"singlePort": False}}], "singlePort"),
    ([REQUIRED_VALUES, {"linkSecret": "no-slash"}], "linkSecret"),
    ([REQUIRED_VALUES, {"bmcd": {"enabled": False}}], "bmcd"),
]


def run_all(renderer, chart, src, bin_dir, rbac_spec, only_docs=None, quick=False):
    """All checks; returns the failure list. only_docs: (scenario index, mutate(docs)).
    quick (the self-test): the first scenario only, without the bad-values renders."""
    fails = Failures()
    for daemon, spec in rbac_spec.items():
        check_code(daemon, spec, src, fails)
    for i, (name, overrides, ns) in enumerate(SCENARIOS[:1] if quick else SCENARIOS):
        try:
            docs, notes = render(renderer, chart, overrides, namespace=ns)
        except RuntimeError as e:
            fails.add(f"{name}: render failed: {e}")
            continue
        if only_docs and only_docs[0] == i:
            only_docs[1](docs)
        values = merged_values(chart, overrides)
        sub = Failures()
        check_release(docs, notes, values, bin_dir, rbac_spec, ns, sub)
        fails.items += [f"{name}: {m}" for m in sub.items]
    for overrides, word in [] if quick else BAD_VALUES:
        ov = overrides if isinstance(overrides, list) else [overrides]
        try:
            render(renderer, chart, ov)
            fails.add(f"values {ov} rendered, expected an error naming {word}")
        except RuntimeError as e:
            if word not in str(e):
                fails.add(f"values {ov} failed without naming {word}: {e}")
    return fails.items


# --------------------------------------------------------------------------------------------
# Self-test


def dep_of(docs, daemon):
    return next(d for d in docs if d["kind"] == "Deployment"
                and d["metadata"]["name"].endswith("-" + daemon))


def container_of(docs, daemon):
    return dep_of(docs, daemon)["spec"]["template"]["spec"]["containers"][0]


def role_rule(docs, name_suffix):
    role = next(d for d in docs if d["kind"] in ("ClusterRole", "Role")
                and d["metadata"]["name"].endswith(name_suffix))
    return role["rules"]


def self_test(renderer, chart, src, bin_dir, rbac_spec):
    problems = []

    def expect(label, fails, needle):
        if not any(needle in f for f in fails):
            problems.append(f"self-test '{label}': no failure mentioning {needle!r}; got "
                            f"{fails[:5]}")

    # 1. A typo'd flag in a template, rendered by the real renderer.
    with tempfile.TemporaryDirectory() as tmp:
        broken = os.path.join(tmp, "ferrum")
        shutil.copytree(chart, broken)
        path = os.path.join(broken, "templates", "tftpd.yaml")
        text = open(path).read()
        assert "--max-blksize=" in text
        open(path, "w").write(text.replace("--max-blksize=", "--max-blocksize=", 1))
        expect("typo'd flag in tftpd.yaml", run_all(renderer, broken, src, bin_dir, rbac_spec, quick=True),
               "--max-blocksize is not a flag of ferrum-tftpd")
        # 2. A large number printed without int64 renders as Helm would: 1.073741824e+09.
        shutil.rmtree(broken)
        shutil.copytree(chart, broken)
        path = os.path.join(broken, "templates", "ipxe-http.yaml")
        text = open(path).read()
        assert "{{ int64 $cfg.assetMaxBytes }}" in text
        open(path, "w").write(text.replace("{{ int64 $cfg.assetMaxBytes }}",
                                           "{{ $cfg.assetMaxBytes }}"))
        expect("float-rendered number", run_all(renderer, broken, src, bin_dir, rbac_spec, quick=True),
               "--asset-max-bytes=1.073741824e+09: not an integer")

    # 3. Mutations of the rendered manifests (scenario 0).
    def service_port(docs):
        svc = next(d for d in docs if d["kind"] == "Service" and d["metadata"]["name"].endswith("-metadata"))
        c = container_of(docs, "metadata")
        for p in c["ports"]:
            if p["name"] == "http":
                p["containerPort"] = 9999

    def probe_path(docs):
        container_of(docs, "registry")["readinessProbe"]["httpGet"]["path"] = "/healthz"

    def drop_verb(docs):
        for r in role_rule(docs, "-reconciler"):
            if "serverbindings" in r["resources"]:
                r["verbs"].remove("delete")

    def extra_verb(docs):
        role_rule(docs, "-bmcd")[0]["verbs"].append("update")

    def lose_deployment(docs):
        docs.remove(dep_of(docs, "linkd"))

    def bad_env(docs):
        container_of(docs, "linkd").setdefault("env", []).append({"name": "FERRUM_JOINTOKEN", "value": "x"})

    def bad_enum(docs):
        c = container_of(docs, "reconciler")
        c["args"] = [a.replace("--ipmi-pxe-method=uefi", "--ipmi-pxe-method=efi") for a in c["args"]]

    def root_user(docs):
        container_of(docs, "metadata")["securityContext"]["runAsUser"] = 0

    cases = [
        ("container port differs from --listen", service_port, "the daemon binds 9091"),
        ("readiness probe on /healthz", probe_path, "readinessProbe is /healthz"),
        ("missing verb", drop_verb, "does not grant delete serverbindings"),
        ("extra verb", extra_verb, "grants update servers"),
        ("lost Deployment", lose_deployment, "no Deployment ferrum-linkd"),
        ("unknown FERRUM_ variable", bad_env, "FERRUM_JOINTOKEN is not a flag"),
        ("value outside the choices", bad_enum, "--ipmi-pxe-method=efi: not one of"),
        ("root without capability", root_user, "runs as root"),
    ]
    for label, mutate, needle in cases:
        expect(label, run_all(renderer, chart, src, bin_dir, rbac_spec, (0, mutate), quick=True), needle)

    # 4. The code starts using a resource rbac.yaml does not list.
    f = Failures()
    check_code("bmcd", rbac_spec["bmcd"], src, f,
               sources=["kube::get_as<model::Server>(r, model::kServer, \"\", n);"
                        "kube::get_as<model::Secret>(r, model::kSecret, ns, n);"
                        "informer(model::kServerBinding);"])
    expect("new resource in the code", f.items, "uses serverbindings")
    f = Failures()
    check_code("bmcd", rbac_spec["bmcd"], src, f, sources=["model::kServer"])
    expect("resource no longer used", f.items, "never refers to")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--render", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args()
    chart = os.path.join(a.src, "charts", "ferrum")
    with open(os.path.join(HERE, "rbac.yaml")) as f:
        rbac_spec = yaml.safe_load(f)
    if set(rbac_spec) != set(DAEMONS):
        print(f"rbac.yaml lists {sorted(rbac_spec)}, expected {sorted(DAEMONS)}")
        return 1
    if a.self_test:
        problems = self_test(a.render, chart, a.src, a.bin, rbac_spec)
        for p in problems:
            print(p)
        print(f"chart self-test: {'FAILED' if problems else 'every break caught'}")
        return 1 if problems else 0
    fails = run_all(a.render, chart, a.src, a.bin, rbac_spec)
    for f in fails:
        print(f)
    print(f"chart: {len(fails)} problems in {len(SCENARIOS)} renders")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
