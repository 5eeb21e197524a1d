#!/usr/bin/env bash
# ferrum-ipxe-http against ferrum-apiserver, real kubectl, curl, and a local asset server
# (python3 -m http.server on loopback): every boot decision over real HTTP, asset downloads
# with sha512 checks and Ready conditions, Range/ETag/Last-Modified, /tftp/, two replicas
# (one writes conditions, holding the Lease), the TalosKernelArgs condition and Event (KSPP),
# Sidero-era Environments, the link address from ferrum-linkd's installation Secret, SIGTERM.
source "$(dirname "$0")/../lib.sh"
setup_tmp
start_apiserver api

# --- assets and the server that hosts them
www=$TMP/www
mkdir -p "$www" "$TMP/tftp" "$TMP/agent/amd64"
head -c 300000 /dev/urandom >"$www/kernel"
head -c 200000 /dev/urandom >"$www/initrd"
head -c 100000 /dev/urandom >"$www/kernel2"
head -c 50000 /dev/urandom >"$TMP/tftp/undionly.kpxe"
head -c 4000 /dev/urandom >"$TMP/agent/amd64/vmlinuz"
head -c 3000 /dev/urandom >"$TMP/agent/amd64/initramfs.xz"
sha() { sha512sum "$1" | cut -d' ' -f1; }
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wport=$(free_port)
(cd "$www" && exec $PY -m http.server --bind 127.0.0.1 "$wport" >"$TMP/www.log" 2>&1) &
track_pid $!
wait_until 10 curl -sf "http://127.0.0.1:$wport/kernel" -o /dev/null || { echo "asset server did not start"; exit 1; }
W=http://127.0.0.1:$wport

# --- resources
env_yaml() { # name kernel-url kernel-sha initrd-url initrd-sha [more args, JSON list items]
  cat <<Y
apiVersion: metal.sidero.dev/v1alpha2
kind: Environment
metadata: {name: $1}
spec:
  kernel: {url: "$2", sha512: "$3", args: ["console=ttyS0", "ferrum.test=$1", "slab_nomerge", "pti=on"${6:+, $6}]}
  initrd: {url: "$4", sha512: "$5"}
---
Y
}
server_yaml() { # uuid [spec extra lines...]
  local uuid=$1; shift
  printf 'apiVersion: metal.sidero.dev/v1alpha2\nkind: Server\nmetadata: {name: %s}\nspec:\n  accepted: true\n' "$uuid"
  local l; for l in "$@"; do printf '  %s\n' "$l"; done
  printf -- '---\n'
}
binding_yaml() { # uuid [class]
  printf 'apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3\nkind: ServerBinding\nmetadata: {name: %s}\nspec:\n  metalMachineRef: {kind: MetalMachine, namespace: default, name: m-%s}\n' "$1" "${1:0:8}"
  [[ -n ${2:-} ]] && printf '  serverClassRef: {kind: ServerClass, name: %s}\n' "$2"
  printf -- '---\n'
}
U_UNKNOWN=00000000-0000-0000-0000-0000000000aa
U_UNBOUND=11111111-0000-0000-0000-000000000001
U_DEFAULT=22222222-0000-0000-0000-000000000002
U_CLASS=33333333-0000-0000-0000-000000000003
U_DISK=44444444-0000-0000-0000-000000000004
U_DISK404=55555555-0000-0000-0000-000000000005
U_BAD404=66666666-0000-0000-0000-000000000006
U_BADSHA=77777777-0000-0000-0000-000000000007
U_MISSING=88888888-0000-0000-0000-000000000008
U_ALWAYS=99999999-0000-0000-0000-000000000009
U_SIDERO=aaaaaaaa-0000-0000-0000-00000000000a
{
  env_yaml default "$W/kernel" "$(sha "$www/kernel")" "$W/initrd" "$(sha "$www/initrd")"
  env_yaml class-env "$W/kernel" "" "$W/initrd" ""
  env_yaml bad404 "$W/missing-kernel" "" "$W/initrd" ""
  env_yaml badsha "$W/kernel" "$(printf '%0128d' 0)" "$W/initrd" ""
  # Sidero's docs: talos.config at the combined port 8081 (website/content/v0.6/Guides/
  # first-cluster.md); siderolink.api there is what Sidero itself appended.
  env_yaml sidero-env "$W/kernel" "" "$W/initrd" "" \
    '"talos.config=http://127.0.0.1:8081/configdata?uuid=", "siderolink.api=127.0.0.1:8081?jointoken=t"'
  printf 'apiVersion: metal.sidero.dev/v1alpha2\nkind: Environment\nmetadata: {name: nokspp}\nspec:\n  kernel: {url: "%s", args: [console=ttyS0, pti=off]}\n  initrd: {url: "%s"}\n---\n' "$W/kernel" "$W/initrd"
  printf 'apiVersion: metal.sidero.dev/v1alpha2\nkind: ServerClass\nmetadata: {name: c1}\nspec:\n  environmentRef: {name: class-env}\n---\n'
  printf 'apiVersion: metal.sidero.dev/v1alpha2\nkind: ServerClass\nmetadata: {name: c404}\nspec:\n  bootFromDiskMethod: http-404\n---\n'
  server_yaml $U_UNBOUND
  server_yaml $U_DEFAULT; binding_yaml $U_DEFAULT
  server_yaml $U_CLASS; binding_yaml $U_CLASS c1
  server_yaml $U_DISK; binding_yaml $U_DISK
  server_yaml $U_DISK404; binding_yaml $U_DISK404 c404
  server_yaml $U_BAD404 "environmentRef: {name: bad404}"; binding_yaml $U_BAD404
  server_yaml $U_BADSHA "environmentRef: {name: badsha}"; binding_yaml $U_BADSHA
  server_yaml $U_MISSING "environmentRef: {name: nope}"; binding_yaml $U_MISSING
  server_yaml $U_ALWAYS "pxeBootAlways: true"; binding_yaml $U_ALWAYS
  server_yaml $U_SIDERO "environmentRef: {name: sidero-env}"; binding_yaml $U_SIDERO
} >"$TMP/objects.yaml"
check "kubectl apply of Servers, bindings, classes, Environments" kubectl apply -f "$TMP/objects.yaml"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for u in $U_DISK $U_DISK404 $U_ALWAYS; do
  check "PXEBooted on $u" kubectl patch server $u --subresource=status --type=merge \
    -p "{\"status\":{\"conditions\":[{\"type\":\"PXEBooted\",\"status\":\"True\",\"lastTransitionTime\":\"$now\"}]}}"
done

# --- the daemon
start_ipxe() { # name [flags...]: sets PORT_<name>, ADMIN_<name>, PID_<name>
  local name=$1; shift
  : >"$TMP/$name.log"
  start_daemon ferrum-ipxe-http "$TMP/$name.log" serving "$FERRUM_BIN/ferrum-ipxe-http" \
    --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 \
    --api-endpoint 127.0.0.1 --api-port 8081 --tftp-root "$TMP/tftp" --asset-dir "$TMP/assets-$name" \
    --agent-dir "$TMP/agent" --kubeconfig "$KUBECONFIG" \
    --asset-download-attempts 2 "$@"
  printf -v "PORT_$name" '%s' "$(log_port "$TMP/$name.log" serving)"
  printf -v "ADMIN_$name" '%s' "${DAEMON_ADMIN##*:}"
  printf -v "PID_$name" '%s' "$DAEMON_PID"
}
start_ipxe a --link-server-address fd00::1
H=http://127.0.0.1:$PORT_a
check "readyz once caches synced" wait_until 20 curl -sf "http://127.0.0.1:$ADMIN_a/readyz"
check "default Environment Ready=True" wait_until 30 bash -c \
  "kubectl get environment default -o jsonpath='{.status.conditions[*].status}' | grep -qx 'True True'"

req() { curl -s -o "$TMP/body" -w '%{http_code}' "$@"; }
body() { cat "$TMP/body"; }

# --- bad input and routes
equals "bad uuid is 400" "$(req "$H/ipxe?uuid=zzz")" 400
contains "400 names uuid" "$(body)" "uuid:"
equals "bad mac is 400" "$(req "$H/ipxe?uuid=$U_DEFAULT&mac=12-34")" 400
contains "400 names mac" "$(body)" "mac:"
equals "bad arch is 400" "$(req "$H/ipxe?arch=sparc")" 400
contains "400 names arch" "$(body)" "arch:"
equals "unknown route is 404" "$(req "$H/nothing")" 404
equals "POST is 405" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$H/ipxe")" 405

# --- /boot.ipxe
equals "/boot.ipxe is 200" "$(req "$H/boot.ipxe")" 200
contains "/boot.ipxe chains to /ipxe on --api-endpoint:--api-port" "$(body)" \
  'chain --replace http://127.0.0.1:8081/ipxe?uuid=${uuid}&mac=${net${idx}/mac:hexhyp}'

# --- every decision
equals "unknown server: 200" "$(req "$H/ipxe?uuid=$U_UNKNOWN&mac=52-54-00-12-34-56&arch=x86_64")" 200
contains "unknown server: agent kernel" "$(body)" "kernel /env/agent-amd64/vmlinuz"
contains "unknown server: agent args" "$(body)" "ferrum.mac=52:54:00:12:34:56 ferrum.endpoint=127.0.0.1:50100"
equals "unbound server: 200" "$(req "$H/ipxe?uuid=$U_UNBOUND&mac=52-54-00-12-34-56")" 200
contains "unbound server: agent" "$(body)" "/env/agent-amd64/initramfs.xz"
equals "arm64 agent missing: 412" "$(req "$H/ipxe?uuid=$U_UNBOUND&arch=arm64")" 412
equals "bound: 200" "$(req "$H/ipxe?uuid=$U_DEFAULT")" 200
contains "bound: default environment" "$(body)" "kernel /env/default/vmlinuz console=ttyS0 ferrum.test=default slab_nomerge pti=on talos.config=http://127.0.0.1:9091/configdata?uuid= siderolink.api=127.0.0.1:50110 talos.logging.kernel=tcp://[fd00::1]:4001 talos.events.sink=[fd00::1]:4002"
check "class-env Ready" wait_until 30 bash -c \
  "kubectl get environment class-env -o jsonpath='{.status.conditions[*].status}' | grep -qx 'True True'"
equals "class: 200" "$(req "$H/ipxe?uuid=$U_CLASS")" 200
contains "class: the class's environment" "$(body)" "kernel /env/class-env/vmlinuz"
equals "pxebooted: 200" "$(req "$H/ipxe?uuid=$U_DISK")" 200
contains "pxebooted: exit" "$(body)" $'\nexit'
equals "pxebooted with class http-404: 404" "$(req "$H/ipxe?uuid=$U_DISK404")" 404
equals "pxebooted but pxeBootAlways: 200" "$(req "$H/ipxe?uuid=$U_ALWAYS")" 200
contains "pxeBootAlways: default environment" "$(body)" "kernel /env/default/vmlinuz"
equals "environment missing: 404" "$(req "$H/ipxe?uuid=$U_MISSING")" 404
contains "404 names the environment" "$(body)" 'environment "nope" not found'

# --- TalosKernelArgs: KSPP (talos pkg/kernel/kspp/kspp.go) and Sidero-era siderolink.api
tka() { kubectl get environment "$1" -o jsonpath="{.status.conditions[?(@.type==\"TalosKernelArgs\")].$2}"; }
check "nokspp gets TalosKernelArgs=False" wait_until 30 bash -c \
  "kubectl get environment nokspp -o jsonpath='{.status.conditions[?(@.type==\"TalosKernelArgs\")].status}' | grep -qx False"
equals "... reason KSPPRequirementsNotMet" "$(tka nokspp reason)" KSPPRequirementsNotMet
contains "... in Talos' words: slab_nomerge" "$(tka nokspp message)" "KSPP kernel parameter slab_nomerge is required"
contains "... and pti" "$(tka nokspp message)" "KSPP kernel parameter pti was found with value off, expected on"
equals "... and its Ready conditions are untouched" \
  "$(kubectl get environment nokspp -o jsonpath='{.status.conditions[0].type}')" Ready
events_about() { kubectl get events -n default -o jsonpath='{range .items[*]}{.involvedObject.kind}/{.involvedObject.name}:{.type}:{.reason} {end}'; }
check "a Warning Event KSPPRequirementsNotMet about nokspp" wait_until 20 bash -c \
  "$(declare -f events_about); events_about | grep -q 'Environment/nokspp:Warning:KSPPRequirementsNotMet'"
check "fix nokspp" kubectl patch environment nokspp --type=merge \
  -p '{"spec":{"kernel":{"args":["console=ttyS0","slab_nomerge","pti=on"]}}}'
check "the condition is cleared once fixed" wait_until 30 bash -c \
  "! kubectl get environment nokspp -o jsonpath='{.status.conditions[*].type}' | grep -q TalosKernelArgs"
equals "good Environments carry no TalosKernelArgs" "$(tka default status)" ""
check "sidero-env Ready" wait_until 30 bash -c \
  "kubectl get environment sidero-env -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx 'True True'"
equals "Sidero-docs Environment: 200" "$(req "$H/ipxe?uuid=$U_SIDERO")" 200
contains "... its talos.config kept (ipxe-http redirects /configdata), siderolink.api rewritten to linkd" "$(body)" \
  "talos.config=http://127.0.0.1:8081/configdata?uuid= siderolink.api=127.0.0.1:50110?jointoken=t talos.logging.kernel=tcp://[fd00::1]:4001 talos.events.sink=[fd00::1]:4002"
check "sidero-env says so: TalosKernelArgs=True SideroLinkAPIRewritten" wait_until 30 bash -c \
  "kubectl get environment sidero-env -o jsonpath='{.status.conditions[?(@.type==\"TalosKernelArgs\")].reason}' | grep -qx SideroLinkAPIRewritten"
contains "... naming both values" "$(tka sidero-env message)" \
  "siderolink.api=127.0.0.1:8081?jointoken=t -> siderolink.api=127.0.0.1:50110?jointoken=t"
equals "/configdata on this port: 307" "$(req "$H/configdata?uuid=$U_SIDERO")" 307
equals "... to ferrum-metadata (--metadata-endpoint), the query kept" \
  "$(curl -s -o /dev/null -w '%{redirect_url}' "$H/configdata?uuid=$U_SIDERO&mac=52%3A54")" \
  "http://127.0.0.1:9091/configdata?uuid=$U_SIDERO&mac=52%3A54"

check "bad404 gets a False condition" wait_until 30 bash -c \
  "kubectl get environment bad404 -o jsonpath='{.status.conditions[0].reason}' | grep -qx HTTPError"
contains "bad404 condition message names the HTTP status" \
  "$(kubectl get environment bad404 -o jsonpath='{.status.conditions[0].message}')" "answered HTTP 404"
equals "bad404 initrd is still Ready" "$(kubectl get environment bad404 -o jsonpath='{.status.conditions[1].status}')" True
equals "environment with a 404 URL: /ipxe 412" "$(req "$H/ipxe?uuid=$U_BAD404")" 412
contains "412 says why" "$(body)" "HTTPError"
check "badsha gets ChecksumMismatch" wait_until 30 bash -c \
  "kubectl get environment badsha -o jsonpath='{.status.conditions[0].reason}' | grep -qx ChecksumMismatch"
contains "mismatch message has both sums" "$(kubectl get environment badsha -o jsonpath='{.status.conditions[0].message}')" \
  "spec $(printf '%0128d' 0), downloaded $(sha "$www/kernel")"
equals "environment with a wrong sha512: /ipxe 412" "$(req "$H/ipxe?uuid=$U_BADSHA")" 412
equals "its asset is 412 too" "$(req "$H/env/badsha/vmlinuz")" 412
equals "kubectl shows Ready False" "$(kubectl get environment badsha -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' | tr ' ' '\n' | head -1)" False

# --- assets: content, Range, ETag, Last-Modified
check "kernel served byte for byte" cmp <(curl -sf "$H/env/default/vmlinuz") "$www/kernel"
check "initrd served byte for byte" cmp <(curl -sf "$H/env/default/initramfs.xz") "$www/initrd"
check "agent kernel served" cmp <(curl -sf "$H/env/agent-amd64/vmlinuz") "$TMP/agent/amd64/vmlinuz"
equals "Range 1000-1999: 206" "$(req -r 1000-1999 "$H/env/default/vmlinuz")" 206
check "Range bytes match" cmp "$TMP/body" <(tail -c +1001 "$www/kernel" | head -c 1000)
hdrs=$(curl -sI -r 299990- "$H/env/default/vmlinuz")
contains "Content-Range of an open range" "$hdrs" "Content-Range: bytes 299990-299999/300000"
equals "suffix range -10 is 10 bytes" "$(curl -s -r -10 "$H/env/default/vmlinuz" | wc -c)" 10
equals "unsatisfiable range: 416" "$(req -r 400000- "$H/env/default/vmlinuz")" 416
hdrs=$(curl -sI "$H/env/default/vmlinuz")
etag=$(grep -i '^etag:' <<<"$hdrs" | cut -d' ' -f2 | tr -d '\r')
lm=$(grep -i '^last-modified:' <<<"$hdrs" | cut -d' ' -f2- | tr -d '\r')
contains "ETag is the sha512 prefix" "$etag" "\"$(sha "$www/kernel" | head -c 32)\""
check "Last-Modified present" test -n "$lm"
contains "Accept-Ranges" "$hdrs" "Accept-Ranges: bytes"
equals "If-None-Match: 304" "$(req -H "If-None-Match: $etag" "$H/env/default/vmlinuz")" 304
equals "If-Modified-Since: 304" "$(req -H "If-Modified-Since: $lm" "$H/env/default/vmlinuz")" 304
equals "If-Range with another ETag: whole file" "$(req -r 0-9 -H 'If-Range: "other"' "$H/env/default/vmlinuz")" 200
equals "unknown asset name: 404" "$(req "$H/env/default/other")" 404
equals "unknown environment: 404" "$(req "$H/env/nope/vmlinuz")" 404

# --- /tftp/
check "/tftp/ serves the iPXE binary" cmp <(curl -sf "$H/tftp/undionly.kpxe") "$TMP/tftp/undionly.kpxe"
equals "/tftp/ range" "$(curl -s -r 0-99 "$H/tftp/undionly.kpxe" | wc -c)" 100
equals "/tftp/ never leaves the root" "$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$H/tftp/../objects.yaml")" 404
ln -s "$TMP/objects.yaml" "$TMP/tftp/escape"
equals "/tftp/ symlink out of the root: 404" "$(req "$H/tftp/escape")" 404
equals "/tftp/ missing file: 404" "$(req "$H/tftp/nothing.efi")" 404

# --- an Environment change: new kernel downloaded, served, condition follows
check "change default's kernel URL" kubectl patch environment default --type=merge \
  -p "{\"spec\":{\"kernel\":{\"url\":\"$W/kernel2\",\"sha512\":\"$(sha "$www/kernel2")\"}}}"
check "new kernel served after the change" wait_until 30 bash -c \
  "curl -sf $H/env/default/vmlinuz | cmp - $www/kernel2"
check "condition names the new URL" wait_until 30 bash -c \
  "kubectl get environment default -o jsonpath='{.status.conditions[0].url}' | grep -q kernel2"

# --- leader election: one writer; a second replica serves its own verified copy
check "the assets Lease is held by replica a" wait_until 20 bash -c \
  "kubectl get lease -n default ferrum-ipxe-http-assets -o jsonpath='{.spec.holderIdentity}' | grep -q ."
start_ipxe b --link-server-address fd00::1
check "replica b verifies its own copy and serves it" wait_until 30 bash -c \
  "curl -sf http://127.0.0.1:$PORT_b/env/default/vmlinuz | cmp - $www/kernel2"
m_a=$(curl -s "http://127.0.0.1:$ADMIN_a/metrics")
m_b=$(curl -s "http://127.0.0.1:$ADMIN_b/metrics")
contains "a leads" "$m_a" "ferrum_ipxe_http_assets_leader 1"
contains "b does not" "$m_b" "ferrum_ipxe_http_assets_leader 0"
check "b never wrote conditions" bash -c "! grep -q 'environment conditions written' $TMP/b.log"

# --- the link server address from ferrum-linkd's installation Secret (no --link-server-address)
kubectl create namespace ferrum-system >/dev/null
start_ipxe c
check "replica c serves the bound server" wait_until 30 bash -c \
  "curl -sf 'http://127.0.0.1:$PORT_c/ipxe?uuid=$U_DEFAULT' -o /dev/null"
equals "no Secret: 200" "$(req "http://127.0.0.1:$PORT_c/ipxe?uuid=$U_DEFAULT")" 200
check "no Secret: no talos.logging.kernel on the kernel line" bash -c "grep -q '^kernel ' $TMP/body && ! grep '^kernel ' $TMP/body | grep -q talos.logging.kernel"
contains "no Secret: the decision says why" "$(grep '"boot decision"' "$TMP/c.log" | grep "$U_DEFAULT" | tail -1)" \
  "no SideroLink installation Secret"
kubectl create secret generic -n ferrum-system siderolink --from-literal=installation-id=abc \
  --from-literal=private-key=unused >/dev/null
# sha256("abc") => fd03:61a3:9617:7a03::/64 (siderolink_address_test, configdata_test.sh).
check "the Secret's address appears on the kernel line" wait_until 20 bash -c \
  "curl -sf 'http://127.0.0.1:$PORT_c/ipxe?uuid=$U_DEFAULT' | grep -qF 'talos.logging.kernel=tcp://[fd03:61a3:9617:7a03::1]:4001 talos.events.sink=[fd03:61a3:9617:7a03::1]:4002'"

# --- metrics
contains "requests by decision: agent" "$m_a" 'ferrum_ipxe_http_requests_total{route="ipxe",decision="agent"}'
contains "requests by decision: 412" "$m_a" 'ferrum_ipxe_http_requests_total{route="ipxe",decision="412"}'
contains "configdata redirects counted" "$m_a" 'ferrum_ipxe_http_requests_total{route="configdata",decision="307"}'
contains "downloads ok counted" "$m_a" 'ferrum_ipxe_http_asset_downloads_total{result="ok"}'
contains "checksum mismatches counted" "$m_a" 'ferrum_ipxe_http_asset_downloads_total{result="ChecksumMismatch"}'
check "bytes served counted" bash -c "grep -E '^ferrum_ipxe_http_asset_bytes_served_total\{route=\"env\"\} [1-9]' <<<'$m_a'"
contains "boot decision log names the server" "$(grep '"boot decision"' "$TMP/a.log" | grep "$U_DISK404" | head -1)" '"reason":"Server 55555555-0000-0000-0000-000000000005 is PXEBooted, boot from disk (http-404 from ServerClass c404)"'

# --- bad flags change nothing and name the flag
out=$("$FERRUM_BIN/ferrum-ipxe-http" --api-endpoint "" 2>&1); rc=$?
equals "missing --api-endpoint exits 2" "$rc" 2
contains "error names --api-endpoint" "$out" "--api-endpoint"
out=$(FERRUM_BOOT_FROM_DISK_METHOD=floppy "$FERRUM_BIN/ferrum-ipxe-http" --api-endpoint x 2>&1); rc=$?
contains "bad env var names the flag" "$out" "boot-from-disk-method"
out=$("$FERRUM_BIN/ferrum-ipxe-http" --api-endpoint 10.0.0.1 --metadata-endpoint 10.0.0.1:8081 2>&1); rc=$?
equals "--metadata-endpoint on this very port (a redirect loop) exits 2" "$rc" 2
contains "... naming the flag" "$out" "--metadata-endpoint 10.0.0.1:8081: is this service's own endpoint"
out=$("$FERRUM_BIN/ferrum-ipxe-http" --api-endpoint x --link-secret siderolink 2>&1); rc=$?
equals "bad --link-secret exits 2" "$rc" 2
contains "... naming the flag" "$out" "--link-secret siderolink: want <namespace>/<name>"

# --- SIGTERM
kill -TERM "$PID_a"
start=$SECONDS
wait "$PID_a"; rc=$?
equals "SIGTERM: exit 0" "$rc" 0
check "SIGTERM: quick" test $((SECONDS - start)) -lt 10
finish
