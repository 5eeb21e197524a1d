#!/usr/bin/env python3
"""Writes the seed corpora of the libFuzzer targets (tests/fuzz/<target>_seeds/) from inputs
the unit tests use: requests and queries of the ipxe-http tests, the kubectl protobuf Secret,
the QEMU SMBIOS tables, the UAPI replies, a kubeconfig, the CRDs' kinds. Seeds are small on
purpose (libFuzzer's default -max_len follows the largest seed). Re-run after changing it;
the tftpd seeds are hand-made and left alone.

Usage: tests/fuzz/make_seeds.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def write(target, name, data):
    d = os.path.join(HERE, target + "_seeds")
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(path):
    with open(os.path.join(ROOT, path), "rb") as f:
        return f.read()


# --- ipxe-http request heads -------------------------------------------------------------
UUID = "4c4c4544-0031-3210-8048-b4c04f4d3732"
write("http_request_head_fuzz", "ipxe",
      f"GET /ipxe?uuid={UUID}&mac=52-54-00-12-34-56&arch=x86_64 HTTP/1.1\r\n"
      "Host: 10.5.0.1:8081\r\nUser-Agent: iPXE/1.21.1\r\nConnection: keep-alive\r\n\r\n")
write("http_request_head_fuzz", "range",
      "GET /assets/talos/vmlinuz-amd64 HTTP/1.1\r\nHost: h\r\nRange: bytes=100-199\r\n"
      "If-None-Match: \"abc\"\r\n\r\n")
write("http_request_head_fuzz", "suffix_range",
      "HEAD /boot.ipxe HTTP/1.0\r\nRange: bytes=-500\r\n\r\n")
write("http_request_head_fuzz", "post", "POST /ipxe HTTP/1.1\r\nContent-Length: 5\r\n\r\n")
write("http_request_head_fuzz", "escaped",
      "GET /env/a%20b+c?x=%41 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")

# --- /ipxe query ----------------------------------------------------------------------------
write("boot_query_fuzz", "full",
      f"uuid={UUID}&mac=52-54-00-12-34-56&arch=x86_64&domain=lab.local&hostname=node-1"
      "&serial=ABC123")
write("boot_query_fuzz", "empty_values", "uuid=&mac=&arch=arm64&uuid=ignored")
write("boot_query_fuzz", "encoded", "mac=52%3A54%3A00%3A12%3A34%3A56&hostname=a+b%C3%A9&x=1")
write("boot_query_fuzz", "plain_mac", "MAC=525400123456&Arch=aarch64&serial=%ff")

# --- YAML ---------------------------------------------------------------------------------
write("yaml_fuzz", "machine_config", """version: v1alpha1
machine:
  type: worker
  install:
    disk: /dev/sda
    wipe: false
  files:
    - path: /var/etc/x
      permissions: 0644
      content: |
        line one
        line two
cluster:
  network:
    podSubnets: [10.244.0.0/16]
""")
write("yaml_fuzz", "scalars", """a: yes
b: 'true'
c: 0x1F
d: 0o17
e: .inf
f: -.NaN
g: ~
h: 1e3
i: "multi\\nline"
j: 18446744073709551615
k: -9223372036854775809
""")
write("yaml_fuzz", "stream", "---\na: &x {b: [1, 2]}\nc: *x\n---\n# only a comment\n---\n- [x, {y: z}]\n")
write("yaml_fuzz", "json", '{"apiVersion": "v1", "kind": "Secret", "data": {"k": "dg=="}}')

# --- patches: document NUL patch [NUL strategic patch stream] --------------------------------
DOC = '{"machine": {"install": {"disk": "/dev/sda"}, "network": {"interfaces": [{"interface": "eth0", "dhcp": true}]}}, "version": "v1alpha1"}'
write("patch_fuzz", "json_patch",
      DOC + "\0" + '[{"op": "replace", "path": "/machine/install/disk", "value": "/dev/vda"},'
      '{"op": "add", "path": "/machine/network/interfaces/-", "value": {"interface": "eth1"}},'
      '{"op": "test", "path": "/version", "value": "v1alpha1"},'
      '{"op": "move", "from": "/machine/install", "path": "/install"},'
      '{"op": "copy", "from": "/version", "path": "/v"},'
      '{"op": "remove", "path": "/v"}]')
write("patch_fuzz", "merge_patch", DOC + "\0" + '{"machine": {"install": null, "type": "worker"}, "x": [1]}')
write("patch_fuzz", "strategic",
      "version: v1alpha1\nmachine:\n  network:\n    interfaces:\n      - interface: eth0\n        dhcp: true\n"
      "---\napiVersion: v1alpha1\nkind: SideroLinkConfig\napiUrl: https://10.5.0.1:8099\n"
      "\0[]\0"
      "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        vlans: [{vlanId: 5}]\n"
      "  install:\n    disk: \"\"\n    extraKernelArgs: [console=ttyS0]\n"
      "---\napiVersion: v1alpha1\nkind: SideroLinkConfig\n$patch: delete\n")
write("patch_fuzz", "delete_in_list",
      "cluster:\n  apiServer:\n    admissionControl:\n      - name: PodSecurity\n        configuration: {}\n"
      "\0{}\0cluster:\n  apiServer:\n    admissionControl:\n      - name: PodSecurity\n        $patch: delete\n")

# --- selectors: label selector NUL field selector NUL JSON NUL labels ------------------------
write("selectors_fuzz", "all",
      "a=b,c!=d,e in (x,y,),f notin (z),g,!h,n>3,m<10\0"
      "metadata.name=s1,metadata.namespace!=kube-system,type==Opaque\0"
      '{"matchLabels": {"a": "b"}, "matchExpressions": [{"key": "e", "operator": "In", "values": ["x", "y"]},'
      ' {"key": "h", "operator": "DoesNotExist"}], "metadata": {"name": "s1", "namespace": "default"},'
      ' "type": "Opaque", "involvedObject": {"kind": "Server"}}\0'
      "a=b\ne=x\nn=4\nm=9\n")
write("selectors_fuzz", "prefixed",
      "example.com/role==worker,app.kubernetes.io/name in (ferrum)\0"
      "involvedObject.kind=Server,reason=PXEBooted\0"
      '{"matchExpressions": [{"key": "example.com/role", "operator": "NotIn", "values": ["cp"]}]}\0'
      "example.com/role=worker\n")

# --- Kubernetes protobuf: what kubectl sends ------------------------------------------------
SECRET = bytes.fromhex(
    "6b3873000a0c0a027631120653656372657412380a1a0a0a626d632d63726564733212001a0022002a00320038004200"
    "12090a0470617373120178120d0a0475736572120561646d696e1a001a002200")
write("k8s_protobuf_fuzz", "kubectl_secret", SECRET)


def pb_len(field, payload):
    key = (field << 3) | 2
    out = bytearray([key])
    n = len(payload)
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            break
    return bytes(out) + payload


def unknown(kind, raw):
    type_meta = pb_len(1, b"v1") + pb_len(2, kind.encode())
    return b"k8s\0" + pb_len(1, type_meta) + pb_len(2, raw)


meta = pb_len(1, pb_len(1, b"cfg") + pb_len(3, b"default") +
              pb_len(11, pb_len(1, b"app") + pb_len(2, b"ferrum")))
write("k8s_protobuf_fuzz", "configmap",
      unknown("ConfigMap", meta + pb_len(2, pb_len(1, b"k") + pb_len(2, b"v")) +
              pb_len(3, pb_len(1, b"bin") + pb_len(2, b"\x00\xff"))))
write("k8s_protobuf_fuzz", "namespace", unknown("Namespace", pb_len(1, pb_len(1, b"team-a"))))

# --- schema validator: schema selector byte, then the object --------------------------------
write("schema_validator_fuzz", "server",
      b"\x06" + b'{"apiVersion": "metal.sidero.dev/v1alpha2", "kind": "Server", "metadata": {"name": "s"},'
      b' "spec": {"accepted": true, "hostname": "n1", "bmc": {"endpoint": "10.0.0.5", "port": 623,'
      b' "user": "admin"}, "configPatches": [{"op": "add", "path": "/machine/x", "value": {"a": 1}}],'
      b' "unknownField": 1}, "status": {"ready": false, "addresses": [{"type": "InternalIP",'
      b' "address": "10.5.0.2"}]}}')
write("schema_validator_fuzz", "serverclass",
      b"\x05" + b'{"spec": {"qualifiers": {"cpu": [{"manufacturer": "Intel"}], "labelSelectors":'
      b' [{"a": "b"}]}, "selector": {"matchLabels": {"x": "y"}}, "environmentRef": {"name": "e"}}}')
write("schema_validator_fuzz", "metalmachine",
      b"\x01" + b'{"spec": {"serverClassRef": {"kind": "ServerClass", "name": "any"}, "providerID": null},'
      b' "status": {"ready": "yes", "failureReason": 5}}')

# --- SMBIOS: version bytes, then the QEMU tables -------------------------------------------
for name, ver in (("qemu_ovmf", b"\x02\x08"), ("qemu_seabios", b"\x02\x08")):
    write("smbios_fuzz", name, ver + read(f"tests/unit/agent/data/{name}_DMI"))
    write("smbios_fuzz", name + "_entry_point", read(f"tests/unit/agent/data/{name}_smbios_entry_point"))

# --- UAPI replies ---------------------------------------------------------------------------
write("uapi_codec_fuzz", "get_reply",
      "private_key=77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a\n"
      "listen_port=51821\npublic_key=" + "c" * 64 + "\nendpoint=10.0.0.2:41000\n"
      "last_handshake_time_sec=1700000000\nlast_handshake_time_nsec=5\ntx_bytes=100\nrx_bytes=200\n"
      "persistent_keepalive_interval=0\nallowed_ip=fd00::5/128\nallowed_ip=10.0.0.0/8\n"
      "protocol_version=1\npublic_key=" + "d" * 64 + "\nlast_handshake_time_sec=0\nerrno=0\n\n")
write("uapi_codec_fuzz", "set_refused", "errno=-22\n\n")
write("uapi_codec_fuzz", "key_base64", "d06LZaYCSnDxQnEl9pFoHMmOtH5eFi2Yc0KQXH4hXHI=")

# --- netlink: a WG_CMD_GET_DEVICE answer, a family answer, an error ack ----------------------
def nla(t, payload):
    n = 4 + len(payload)
    return struct.pack("<HH", n, t) + payload + b"\0" * ((4 - n % 4) % 4)


def nlmsg(msg_type, body, flags=0):
    return struct.pack("<IHHII", 16 + len(body), msg_type, flags, 1, 0) + body


GENL = bytes([0, 1, 0, 0])  # cmd, version, reserved
NLA_F_NESTED = 0x8000
allowed = nla(0, nla(1, struct.pack("<H", 10)) + nla(2, bytes(15) + b"\1") + nla(3, b"\x80")) + \
    nla(0, nla(1, struct.pack("<H", 2)) + nla(2, bytes([10, 0, 0, 0])) + nla(3, b"\x08"))
peer = nla(1, bytes(range(1, 33))) + nla(4, struct.pack("<qq", 1700000000, 5)) + \
    nla(6, struct.pack("<Q", 200)) + nla(7, struct.pack("<Q", 100)) + nla(9 | NLA_F_NESTED, allowed)
device = nla(2, b"wg0\0") + nla(4, bytes(range(32, 64))) + nla(6, struct.pack("<H", 51821)) + \
    nla(8 | NLA_F_NESTED, nla(0 | NLA_F_NESTED, peer))
write("netlink_fuzz", "wg_device", nlmsg(0x20, GENL + device))
write("netlink_fuzz", "family", nlmsg(0x10, bytes([1, 1, 0, 0]) + nla(2, b"wireguard\0") + nla(1, struct.pack("<H", 0x20))))
write("netlink_fuzz", "ack", nlmsg(2, struct.pack("<i", -17) + struct.pack("<IHHII", 36, 0x20, 5, 1, 0)))
write("netlink_fuzz", "done", nlmsg(3, struct.pack("<i", 0)))

# --- kmsg lines -----------------------------------------------------------------------------
write("kmsg_line_fuzz", "talos",
      '{"clock":1234567,"facility":"kern","msg":"eth0: link up","priority":"info","seq":42}')
write("kmsg_line_fuzz", "has_ours", '  {"node":"spoofed","msg":"x\\u0000y","a":[1,{"b":null}]}\r')
write("kmsg_line_fuzz", "empty_object", "{ }")

# --- kubeconfig ------------------------------------------------------------------------------
write("kube_config_fuzz", "token", """apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
- name: other
  cluster:
    server: https://10.0.0.1
    insecure-skip-tls-verify: true
contexts:
- name: dev
  context: {cluster: local, user: admin, namespace: team}
- name: insecure
  context: {cluster: other, user: admin}
users:
- name: admin
  user:
    token: abc.def
""")
write("kube_config_fuzz", "files", """current-context: c
clusters: [{name: k, cluster: {server: "https://h:1", certificate-authority: pki/ca.crt, tls-server-name: api.local}}]
users:
- {name: cert, user: {client-certificate-data: Q0VSVA==, client-key-data: S0VZ}}
- {name: tf, user: {tokenFile: token}}
contexts: [{name: c, context: {cluster: k, user: cert}}, {name: t, context: {cluster: k, user: tf}}]
""")

# --- RFC 6902 cases from the json-patch conformance suite the unit tests run -----------------
import json  # noqa: E402

with open(os.path.join(ROOT, "tests/unit/common/testdata/json-patch-tests/tests.json")) as f:
    cases = [c for c in json.load(f) if "doc" in c and "patch" in c and not c.get("disabled")]
for i, c in enumerate(cases[::8][:16]):
    write("patch_fuzz", f"suite_{i:02d}", json.dumps(c["doc"]) + "\0" + json.dumps(c["patch"]))
