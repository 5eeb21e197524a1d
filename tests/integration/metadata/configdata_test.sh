#!/usr/bin/env bash
# ferrum-metadata against ferrum-apiserver: objects made with kubectl, configs fetched with
# curl; every error of DESIGN.md 4.3, a kubectl patch visible on the next request, the
# SideroLink documents from the installation Secret, metrics, readiness, SIGTERM.
source "$(dirname "$0")/../lib.sh"
D=$(cd "$(dirname "$0")/testdata" && pwd)
source "$D/objects.sh"
setup_tmp
start_apiserver api

U=4c4c4544-0039-3010-8048-b7c04f565931
create_chain "$U" m1 workers "$D/bootstrap.yaml"
kubectl create namespace ferrum-system >/dev/null

# Start ferrum-metadata on free ports; read both ports from its JSON log.
start_daemon ferrum-metadata "$TMP/metadata.log" "admin server listening" \
  "$FERRUM_BIN/ferrum-metadata" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 \
  --kubeconfig "$KUBECONFIG" --link-api-endpoint 10.5.0.1:50110 \
  --link-secret ferrum-system/siderolink --threads 2
MD_PID=$DAEMON_PID
PORT=$(log_port "$TMP/metadata.log" "configdata listening")
ADMIN=${DAEMON_ADMIN##*:}
URL="http://127.0.0.1:$PORT/configdata"
check "readyz turns 200 once the caches are loaded" wait_until 10 curl -sf "http://127.0.0.1:$ADMIN/readyz"

# fetch QUERY: sets CODE and BODY.
fetch() {
  local out
  out=$(curl -s -w '\n%{http_code}' "$URL?$1")
  CODE=${out##*$'\n'}
  BODY=${out%$'\n'*}
}
# expect_eventually CODE NEEDLE QUERY: the caches follow the API within moments.
expect_eventually() {
  local want=$1 needle=$2 query=$3 i
  for i in $(seq 1 50); do
    fetch "$query"
    [[ $CODE == "$want" && $BODY == *"$needle"* ]] && return 0
    sleep 0.1
  done
  echo "       want $want with: $needle"; echo "       got $CODE: $BODY" | head -5; return 1
}
# eventually DESCRIPTION CODE NEEDLE QUERY: a check run in this shell, so BODY stays set.
eventually() {
  local what=$1; shift
  if expect_eventually "$@"; then pass "$what"; else fail "$what"; fi
}

# Bad requests.
fetch ""
equals "no uuid is 400" "$CODE" 400
contains "no uuid says what is needed" "$BODY" "uuid is required"
fetch "uuid="
equals "empty uuid is 400" "$CODE" 400
fetch "uuid=not%20a%20uuid"
equals "malformed uuid is 400" "$CODE" 400
contains "malformed uuid is named" "$BODY" '"not a uuid" is malformed'
out=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL?uuid=$U")
equals "POST is 405" "$out" 405
out=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/other")
equals "unknown path is 404" "$out" 404

# The rendered config, parsed back with Python's YAML reader.
eventually "allocated server gets its config" 200 "metal.sidero.dev/uuid=$U" "uuid=$U"
echo "$BODY" >"$TMP/config.yaml"
render_field() { "$PY" -c 'import sys,yaml; docs=list(yaml.safe_load_all(open(sys.argv[1]))); print(eval(sys.argv[2]))' "$TMP/config.yaml" "$1"; }
equals "ServerClass patch then Server patch, in that order" \
  "$(render_field 'docs[0]["machine"]["install"]["extraKernelArgs"]')" "['console=ttyS0', 'net.ifnames=0']"
equals "ServerClass strategic patch applied" "$(render_field 'docs[0]["machine"]["install"]["wipe"]')" "True"
equals "copy op (needs the CRD's from field)" "$(render_field 'docs[0]["machine"]["installImageCopy"]')" \
  "ghcr.io/siderolabs/installer:v1.7.6"
equals "node label appended to the existing node-labels" \
  "$(render_field 'docs[0]["machine"]["kubelet"]["extraArgs"]["node-labels"]')" "rack=r1,metal.sidero.dev/uuid=$U"
equals "unknown field survives" "$(render_field 'docs[0]["machine"]["futureField"]')" "kept"
equals "no SideroLink documents while the installation Secret is missing" "$(render_field 'len(docs)')" 1
check "the missing installation Secret is logged once" \
  test "$(grep -c 'SideroLink installation Secret missing' "$TMP/metadata.log")" -eq 1
fetch "uuid=${U^^}"
equals "upper-case uuid is the same server" "$CODE" 200

# SideroLink: ferrum-linkd's Secret appears; the server address is derived from it
# (sha256("abc") => fd03:61a3:9617:7a03::/64, see siderolink_address_test).
kubectl create secret generic -n ferrum-system siderolink --from-literal=installation-id=abc \
  --from-literal=private-key=unused >/dev/null
eventually "SideroLink documents appear with the Secret" 200 "KmsgLogConfig" "uuid=$U"
echo "$BODY" >"$TMP/config.yaml"
equals "SideroLinkConfig apiUrl" "$(render_field '[d for d in docs if d.get("kind")=="SideroLinkConfig"][0]["apiUrl"]')" \
  "grpc://10.5.0.1:50110"
equals "EventSinkConfig endpoint" "$(render_field '[d for d in docs if d.get("kind")=="EventSinkConfig"][0]["endpoint"]')" \
  "[fd03:61a3:9617:7a03::1]:4002"
equals "KmsgLogConfig url" "$(render_field '[d for d in docs if d.get("kind")=="KmsgLogConfig"][0]["url"]')" \
  "tcp://[fd03:61a3:9617:7a03::1]:4001"

# Talos' own forms of the URL (DESIGN.md 4.3; talos internal/app/machined/pkg/runtime/v1alpha1/
# platform/metal/url/): uuid= filled, ${mac} ${serial} ${hostname} expanded, the query re-encoded
# by Go's url.Values.Encode (sorted keys, QueryEscape).
eventually "Talos' re-encoded query with mac, serial, hostname" 200 "metal.sidero.dev/uuid=$U" \
  "hostname=node-1&mac=52%3A54%3A00%3A12%3A34%3A56&serial=Not+Specified&uuid=${U^^}"
fetch "uuid=$U&uuid=$U"
equals "repeated uuid is 400" "$CODE" 400
contains "repeated uuid is named" "$BODY" "uuid is given more than once"
fetch "uuid=$U&serial=%ff"
equals "invalid UTF-8 is 400" "$CODE" 400
contains "invalid UTF-8 names the parameter" "$BODY" "serial is not valid UTF-8"
fetch 'uuid=%24%7Buuid%7D'
equals "an unexpanded \${uuid} is 400" "$CODE" 400
contains "unexpanded variable explained" "$BODY" "Talos variable the node did not fill in"

# Sidero-era Environments: Sidero's docs put talos.config=http://$IP:8081/configdata?uuid= into
# Environments (website/content/v0.6/Guides/first-cluster.md). ferrum-ipxe-http holds that port
# and redirects /configdata here; `curl -L` of the URL a node builds from it is the config.
mkdir -p "$TMP/tftp" "$TMP/agent"
start_daemon ferrum-ipxe-http "$TMP/ipxe.log" serving "$FERRUM_BIN/ferrum-ipxe-http" \
  --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --api-endpoint 127.0.0.1 \
  --metadata-endpoint "127.0.0.1:$PORT" --tftp-root "$TMP/tftp" --asset-dir "$TMP/assets" \
  --agent-dir "$TMP/agent" --kubeconfig "$KUBECONFIG" --lease-namespace default
IPXE=$(log_port "$TMP/ipxe.log" serving)
# node_url TALOS_CONFIG: the URL Talos fetches for this server (url.PopulateVariables).
node_url() {
  "$PY" - "$1" "$U" <<'PY'
import re, sys, urllib.parse as up
url, uuid = sys.argv[1], sys.argv[2]
vals = {"uuid": uuid, "mac": "52:54:00:12:34:56", "serial": "Not Specified", "hostname": "node-1"}
u = up.urlsplit(url)
q = up.parse_qs(u.query, keep_blank_values=True)
active = [k for k in vals if (k == "uuid" and "uuid" in q and not (len(q["uuid"]) == 1 and q["uuid"][0].strip()))
          or any(re.search(r"(?i)\$\{" + k + r"\}", v) for vs in q.values() for v in vs)]
if not active:
    print(url); sys.exit()
for k in active:
    if k == "uuid" and "uuid" in q and not (len(q["uuid"]) == 1 and q["uuid"][0].strip()):
        q["uuid"] = [vals["uuid"]]
        continue
    for a in q:
        q[a] = [re.sub(r"(?i)\$\{" + k + r"\}", vals[k], v) for v in q[a]]
query = up.urlencode(sorted((k, v) for k in q for v in q[k]))
print(up.urlunsplit((u.scheme, u.netloc, u.path, query, u.fragment)))
PY
}
for arg in "http://127.0.0.1:$IPXE/configdata?uuid=" \
  "http://127.0.0.1:$IPXE/configdata?uuid=&mac=\${mac}&serial=\${serial}&hostname=\${hostname}" \
  "http://127.0.0.1:$IPXE/configdata?uuid=\${UUID}"; do
  url=$(node_url "$arg")
  out=$(curl -s -w '\n%{http_code}' -L "$url")
  equals "curl -L $url is 200" "${out##*$'\n'}" 200
  contains "... and is this server's config" "${out%$'\n'*}" "metal.sidero.dev/uuid=$U"
done
equals "the redirect is a 307" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$IPXE/configdata?uuid=$U")" 307
equals "... to ferrum-metadata, the query kept" \
  "$(curl -s -o /dev/null -w '%{redirect_url}' "http://127.0.0.1:$IPXE/configdata?uuid=$U&mac=52%3A54")" \
  "$URL?uuid=$U&mac=52%3A54"
out=$(curl -s -w '\n%{http_code}' -L "http://127.0.0.1:$IPXE/configdata?uuid=$U&uuid=x")
equals "a bad query through the redirect is ferrum-metadata's 400" "${out##*$'\n'}" 400
contains "... naming it" "$out" "uuid is given more than once"

# A kubectl patch shows on the next request.
kubectl patch server "$U" --type=json \
  -p '[{"op":"add","path":"/spec/configPatches/-","value":{"op":"replace","path":"/machine/install/disk","value":"/dev/nvme0n1"}}]' >/dev/null
eventually "kubectl patch of the Server shows on the next request" 200 "disk: /dev/nvme0n1" "uuid=$U"
kubectl patch serverclass workers --type=merge -p '{"spec":{"strategicPatches":["machine:\n  install:\n    wipe: false\n"]}}' >/dev/null
eventually "kubectl patch of the ServerClass shows too" 200 "wipe: false" "uuid=$U"
# A ServerClass strategic patch changing the bootstrap config's eth0 merges into it by name, as
# Talos merges interfaces, instead of appending a second eth0.
kubectl patch serverclass workers --type=merge -p '{"spec":{"strategicPatches":["machine:\n  install:\n    wipe: false\n","machine:\n  network:\n    interfaces:\n      - interface: eth0\n        dhcp: false\n        mtu: 9000\n        addresses: [10.5.0.21/24]\n"]}}' >/dev/null
eventually "ServerClass interface patch shows" 200 "mtu: 9000" "uuid=$U"
echo "$BODY" >"$TMP/config.yaml"
equals "the patched interface is merged, not duplicated" \
  "$(render_field '[(i["interface"], i["dhcp"], i["mtu"], i["addresses"]) for i in docs[0]["machine"]["network"]["interfaces"]]')" \
  "[('eth0', False, 9000, ['10.5.0.20/24', '10.5.0.21/24'])]"

# A failing patch: 500 naming the source, the operation index, op and path, and why.
kubectl patch server "$U" --type=json \
  -p '[{"op":"add","path":"/spec/configPatches/-","value":{"op":"replace","path":"/machine/time/disabled","value":true}}]' >/dev/null
eventually "failing Server patch is a 500 naming it" 500 \
  "Server $U: configPatches operation 3 (replace /machine/time/disabled): path /machine/time does not exist: add it with op add first" "uuid=$U"
kubectl patch server "$U" --type=json -p '[{"op":"remove","path":"/spec/configPatches/3"}]' >/dev/null
kubectl patch serverclass workers --type=json \
  -p '[{"op":"add","path":"/spec/configPatches/-","value":{"op":"test","path":"/machine/type","value":"controlplane"}}]' >/dev/null
eventually "failing ServerClass patch names the class" 500 \
  "ServerClass workers: configPatches operation 1 (test /machine/type): test failed" "uuid=$U"
kubectl patch serverclass workers --type=json -p '[{"op":"remove","path":"/spec/configPatches/1"}]' >/dev/null
eventually "fixed patches serve again" 200 "disk: /dev/nvme0n1" "uuid=$U"

# Every missing link of the chain, from the far end back.
fetch "uuid=00000000-0000-0000-0000-000000000001"
equals "unallocated server is 404" "$CODE" 404
contains "unallocated server message" "$BODY" "server 00000000-0000-0000-0000-000000000001 is not allocated (no ServerBinding)"

kubectl patch secret -n default m1-bootstrap --type=json -p '[{"op":"remove","path":"/data/value"}]' >/dev/null
eventually "Secret without key value is a 404 naming it" 404 \
  'bootstrap Secret default/m1-bootstrap has no key "value"' "uuid=$U"
kubectl delete secret -n default m1-bootstrap >/dev/null
eventually "missing Secret is a 404 naming it" 404 "bootstrap Secret default/m1-bootstrap" "uuid=$U"
contains "missing Secret says not found" "$BODY" "not found"
kubectl patch machine -n default m1 --type=json -p '[{"op":"remove","path":"/spec/bootstrap/dataSecretName"}]' >/dev/null
eventually "Machine without dataSecretName is a 404 naming it" 404 \
  "Machine default/m1 has no spec.bootstrap.dataSecretName" "uuid=$U"
kubectl patch metalmachine -n default m1-metal --type=json \
  -p '[{"op":"replace","path":"/metadata/ownerReferences/0/name","value":"m-gone"}]' >/dev/null
eventually "missing Machine is a 404 naming it" 404 \
  "Machine default/m-gone (owner of MetalMachine default/m1-metal) not found" "uuid=$U"
kubectl patch metalmachine -n default m1-metal --type=json -p '[{"op":"remove","path":"/metadata/ownerReferences"}]' >/dev/null
eventually "MetalMachine without owner Machine is a 404" 404 \
  "MetalMachine default/m1-metal has no owner Machine" "uuid=$U"
kubectl delete metalmachine -n default m1-metal --wait=false >/dev/null
eventually "missing MetalMachine is a 404 naming it" 404 \
  "MetalMachine default/m1-metal (spec.metalMachineRef of ServerBinding $U) not found" "uuid=$U"

# An unlabelled bootstrap Secret is read on demand, once per request.
U2=4c4c4544-0039-3010-8048-b7c04f565932
create_chain "$U2" m2 workers "$D/bootstrap.yaml" unlabelled
eventually "server with an unlabelled Secret is served" 200 "metal.sidero.dev/uuid=$U2" "uuid=$U2"
reads_before=$(curl -s "http://127.0.0.1:$ADMIN/metrics" | awk '/^ferrum_metadata_secret_reads_total/ {print $2}')
fetch "uuid=$U2"
reads_after=$(curl -s "http://127.0.0.1:$ADMIN/metrics" | awk '/^ferrum_metadata_secret_reads_total/ {print $2}')
equals "one Secret read for one request" "$((reads_after - reads_before))" 1

# Metrics.
metrics=$(curl -s "http://127.0.0.1:$ADMIN/metrics")
contains "requests by result: ok" "$metrics" 'ferrum_metadata_requests_total{result="ok"}'
contains "requests by result: not_allocated" "$metrics" 'ferrum_metadata_requests_total{result="not_allocated"}'
contains "requests by result: bad_request" "$metrics" 'ferrum_metadata_requests_total{result="bad_request"}'
contains "patch failures by source: Server" "$metrics" 'ferrum_metadata_patch_failures_total{source="Server"}'
contains "patch failures by source: ServerClass" "$metrics" 'ferrum_metadata_patch_failures_total{source="ServerClass"}'
contains "render time histogram" "$metrics" 'ferrum_metadata_render_seconds_bucket'
contains "render cache hits counted" "$metrics" 'ferrum_metadata_render_cache_hits_total'

# Flags: --help names every flag; a bad value names the flag and changes nothing.
help=$("$FERRUM_BIN/ferrum-metadata" --help 2>&1)
for f in --listen --kubeconfig --link-api-endpoint --link-secret --render-cache-entries --max-connections FERRUM_LINK_API_ENDPOINT; do
  contains "--help explains $f" "$help" "$f"
done
out=$("$FERRUM_BIN/ferrum-metadata" --link-api-endpoint ftp://x:1 2>&1); rc=$?
equals "bad --link-api-endpoint exits 2" "$rc" 2
contains "bad --link-api-endpoint is named" "$out" "--link-api-endpoint ftp://x:1: scheme must be grpc:// or https://"

# Clean SIGTERM.
kill -TERM "$MD_PID"
wait "$MD_PID"; rc=$?
equals "SIGTERM exits 0" "$rc" 0
contains "shutdown is logged" "$(cat "$TMP/metadata.log")" "signal received"
finish
