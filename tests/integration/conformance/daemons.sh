#!/usr/bin/env bash
# Holds every Ferrum daemon (and ferrum-agent's command line) to the common bar:
#  - command line: --help explains every flag and names its FERRUM_<FLAG>; --version; a
#    near-miss unknown flag exits 2 naming it and the closest flag; bad duration/int/bool/choice
#    values (from flags and from the environment) name the flag;
#  - running against ferrum-apiserver on free loopback ports (ferrum-linkd inside a network
#    namespace of its own, with wireguard-go): FERRUM_ADMIN_LISTEN sets the admin address,
#    /healthz and /readyz 200, /metrics parses strictly with process metrics, an oversized
#    request gets a 4xx and the daemon stays up, a second instance on the same admin or service
#    port fails fast naming the flag, SIGTERM exits 0 within 10 s, every log line is JSON with
#    time, level and msg.
source "$(dirname "$0")/../lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
C() { "$PY" "$HERE/conformance.py" "$@"; }
"$PY" -c 'import prometheus_client' 2>/dev/null ||
  { echo "FAIL: python3-prometheus-client missing (scripts/setup installs it)"; exit 1; }
setup_tmp

# ---------------------------------------------------------------- command line
# cli_checks BIN: the flag table's promises, for one binary.
cli_checks() {
  local bin=$1 b=$FERRUM_BIN/$1 out rc picks
  out=$("$b" --help 2>&1); rc=$?
  equals "$bin: --help exits 0" "$rc" 0
  printf '%s\n' "$out" >"$TMP/$bin.help"
  if picks=$(C help "$TMP/$bin.help"); then
    pass "$bin: --help explains every flag and names its FERRUM_ variable"
  else
    fail "$bin: --help explains every flag and names its FERRUM_ variable"
    echo "$picks" | sed 's/^/       /'
    return
  fi
  out=$("$b" --version 2>&1); rc=$?
  equals "$bin: --version exits 0" "$rc" 0
  contains "$bin: --version names the program" "$out" "$bin"

  local miss of
  miss=$(jq -r '.near_miss // empty' <<<"$picks"); of=$(jq -r '.near_miss_of // empty' <<<"$picks")
  out=$("$b" "--$miss" x 2>&1); rc=$?
  equals "$bin: unknown flag --$miss exits 2" "$rc" 2
  contains "$bin: unknown flag is named" "$out" "unknown flag --$miss"
  contains "$bin: the closest flag is suggested" "$out" "did you mean --$of?"

  local kind flag bad
  for kind in duration int bool choice; do
    flag=$(jq -r ".$kind // empty" <<<"$picks")
    [[ -z $flag ]] && continue
    case $kind in
      duration) bad=5parsecs ;; int) bad=lots ;; bool) bad=maybe ;; choice) bad=no-such-choice ;;
    esac
    out=$("$b" "--$flag=$bad" 2>&1); rc=$?
    equals "$bin: bad $kind --$flag=$bad exits 2" "$rc" 2
    contains "$bin: bad $kind value names --$flag" "$out" "invalid value for --$flag"
    contains "$bin: bad $kind value is quoted back" "$out" "\"$bad\""
    local env=FERRUM_${flag^^}; env=${env//-/_}
    out=$(env "$env=$bad" "$b" 2>&1); rc=$?
    equals "$bin: bad $env exits 2" "$rc" 2
    contains "$bin: bad environment value names $env and --$flag" "$out" "$env (flag --$flag)"
  done
}

for bin in ferrum-tftpd ferrum-ipxe-http ferrum-metadata ferrum-registry ferrum-linkd \
  ferrum-bmcd ferrum-reconciler ferrum-apiserver ferrum-agent; do
  cli_checks "$bin"
done

# ---------------------------------------------------------------- running daemons
free_port() { "${IN[@]}" "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# http CODE-ONLY curl against the admin server, inside the daemon's namespace.
code() { "${IN[@]}" curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }
exited_within() { # PID SECONDS
  local deadline=$((SECONDS + $2))
  while kill -0 "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

# run_checks NAME LISTEN_FLAG LISTEN_MSG LISTEN_FIELD CMD...: starts CMD (without
# --admin-listen or LISTEN_FLAG; IN=(prefix) runs it in a namespace) and checks it.
# LISTEN_FLAG "-" for a daemon that serves nothing but its admin server.
run_checks() {
  local name=$1 lflag=$2 lmsg=$3 lfield=$4; shift 4
  local log=$TMP/$name.run.log aport admin out rc pid lport=""
  local listen=()
  [[ $lflag != - ]] && listen=("$lflag" 127.0.0.1:0)
  aport=$(free_port)
  # The admin address from the environment only: FERRUM_<FLAG> is how charts set flags.
  FERRUM_ADMIN_LISTEN=127.0.0.1:$aport start_daemon "$name" "$log" "admin server listening" \
    "${IN[@]}" "$@" "${listen[@]}"
  pid=$DAEMON_PID admin=$DAEMON_ADMIN
  equals "$name: FERRUM_ADMIN_LISTEN sets the admin address" "$admin" "127.0.0.1:$aport"
  check "$name: /healthz 200" test "$(code "http://$admin/healthz")" = 200
  check "$name: /readyz 200 within 20 s" wait_until 20 test "$(code "http://$admin/readyz")" = 200
  if [[ $(code "http://$admin/readyz") != 200 ]]; then "${IN[@]}" curl -s "http://$admin/readyz"; fi
  "${IN[@]}" curl -s --max-time 5 "http://$admin/metrics" >"$TMP/$name.metrics"
  check "$name: /metrics parses strictly and has the process metrics" C metrics "$TMP/$name.metrics"

  # Oversized requests: a 2 MiB body (the admin server takes none) and a 16 KiB header.
  head -c $((2 << 20)) /dev/zero >"$TMP/big"
  equals "$name: 2 MiB POST to the admin server is 413" \
    "$(code -X POST --data-binary @"$TMP/big" "http://$admin/metrics")" 413
  out=$(code -H "X-Padding: $(head -c 16384 /dev/zero | tr '\0' a)" "http://$admin/healthz")
  check "$name: 16 KiB request header gets a 4xx (got $out)" test "${out:0:1}" = 4
  check "$name: still healthy after oversized requests" test "$(code "http://$admin/healthz")" = 200

  # A second instance on the same ports fails fast, naming the flag.
  out=$(FERRUM_ADMIN_LISTEN=$admin timeout 10 "${IN[@]}" "$@" "${listen[@]}" "${SECOND_EXTRA[@]}" 2>&1)
  rc=$?
  check "$name: second instance on the admin port exits non-zero within 10 s (rc $rc)" \
    test "$rc" -ne 0 -a "$rc" -ne 124
  contains "$name: ... naming --admin-listen" "$out" "admin-listen"
  if [[ $lflag != - ]]; then
    if ! wait_until 10 C field "$log" "$lmsg" "$lfield"; then
      fail "$name: log line \"$lmsg\" with $lfield"
    else
      lport=$(C field "$log" "$lmsg" "$lfield" | grep -o '[0-9]*$')
      out=$(timeout 10 "${IN[@]}" "$@" "$lflag" "127.0.0.1:$lport" "${SECOND_EXTRA[@]}" \
        --admin-listen 127.0.0.1:0 2>&1)
      rc=$?
      check "$name: second instance on $lflag port $lport exits non-zero within 10 s (rc $rc)" \
        test "$rc" -ne 0 -a "$rc" -ne 124
      contains "$name: ... naming $lflag" "$out" "$lflag"
      contains "$name: ... saying why" "$out" "in use"
      # Its lines, the gRPC library's own included, are JSON like every other log line.
      printf '%s\n' "$out" >"$TMP/second-$name.log"
      check "$name: ... every line of the second instance is JSON" C logs "$TMP/second-$name.log"
    fi
  fi
  check "$name: first instance still up" kill -0 "$pid"

  kill -TERM "$pid"
  if exited_within "$pid" 10; then
    wait "$pid"; rc=$?
    equals "$name: SIGTERM exits 0" "$rc" 0
  else
    fail "$name: SIGTERM exits within 10 s"
    kill -KILL "$pid" 2>/dev/null
  fi
  check "$name: every log line is JSON with time, level, msg" C logs "$log"
}

start_apiserver api
kubectl create namespace ferrum-system >/dev/null
mkdir -p "$TMP/tftp" "$TMP/assets" "$TMP/agent"
IN=()
SECOND_EXTRA=()

run_checks ferrum-tftpd --listen listening address \
  "$FERRUM_BIN/ferrum-tftpd" --root "$TMP/tftp"
run_checks ferrum-ipxe-http --listen serving port \
  "$FERRUM_BIN/ferrum-ipxe-http" --kubeconfig "$KUBECONFIG" --api-endpoint 127.0.0.1 \
  --tftp-root "$TMP/tftp" --asset-dir "$TMP/assets" --agent-dir "$TMP/agent" \
  --link-server-address fd00::1
run_checks ferrum-metadata --listen "configdata listening" port \
  "$FERRUM_BIN/ferrum-metadata" --kubeconfig "$KUBECONFIG" --link-api-endpoint 10.5.0.1:50110
run_checks ferrum-registry --listen "grpc listening" port \
  "$FERRUM_BIN/ferrum-registry" --kubeconfig "$KUBECONFIG"
run_checks ferrum-bmcd --listen "grpc listening" port \
  "$FERRUM_BIN/ferrum-bmcd" --kubeconfig "$KUBECONFIG"
run_checks ferrum-reconciler - - - \
  "$FERRUM_BIN/ferrum-reconciler" --kubeconfig "$KUBECONFIG" --bmcd-endpoint 127.0.0.1:9
# A second apiserver of its own (the first serves the others); its second instance gets its
# own data directory so that the port, not the data directory's lock, is what it trips on.
mkdir -p "$TMP/api2" "$TMP/api2b"
SECOND_EXTRA=(--data-dir "$TMP/api2b")
run_checks ferrum-apiserver --listen serving url \
  "$FERRUM_BIN/ferrum-apiserver" --data-dir "$TMP/api2" \
  --crd-dir "$FERRUM_ROOT/charts/ferrum/crds" --crd-dir "$FERRUM_ROOT/charts/ferrum/crds-capi"
SECOND_EXTRA=()

# ferrum-linkd creates a WireGuard interface: only inside a namespace of its own, with its own
# ferrum-apiserver on that namespace's loopback.
if [[ $(id -u) -ne 0 ]] || ! command -v wireguard-go >/dev/null || [[ ! -c /dev/net/tun ]]; then
  echo "SKIP: ferrum-linkd's run checks need root, wireguard-go and /dev/net/tun"
else
  NS=fcf$$
  ns_cleanup() { _cleanup; ip netns del "$NS" 2>/dev/null; rm -f "/var/run/wireguard/fcl$$.sock" "/var/run/wireguard/fcm$$.sock"; }
  trap ns_cleanup EXIT
  ip netns add "$NS"
  ip -n "$NS" link set lo up
  mkdir -p "$TMP/nsapi"
  # (ip netns exec directly, not through a function: $! must be the daemon)
  ip netns exec "$NS" "$FERRUM_BIN/ferrum-apiserver" --listen 127.0.0.1:6443 \
    --admin-listen 127.0.0.1:9400 --data-dir "$TMP/nsapi" \
    --crd-dir "$FERRUM_ROOT/charts/ferrum/crds" --crd-dir "$FERRUM_ROOT/charts/ferrum/crds-capi" \
    --log-level warn >>"$TMP/nsapi/log" 2>&1 &
  track_pid $!
  if wait_until 20 ip netns exec "$NS" curl -sf http://127.0.0.1:9400/readyz; then
    IN=(ip netns exec "$NS")
    # linkd makes its WireGuard interface before it binds anything: the second instance gets
    # its own interface and ports so that the port under test is what it trips on.
    SECOND_EXTRA=(--interface "fcm$$" --wireguard-port 51831 --log-listen-port 4011
      --event-listen-port 4012)
    run_checks ferrum-linkd --api-listen listening api_port \
      "$FERRUM_BIN/ferrum-linkd" --kubeconfig "$TMP/nsapi/kubeconfig" \
      --wireguard-endpoint 127.0.0.1 --wireguard-backend userspace --interface "fcl$$" \
      --shutdown-timeout 5s
    IN=() SECOND_EXTRA=()
  else
    fail "ferrum-apiserver in namespace $NS ready"; cat "$TMP/nsapi/log"
  fi
fi

finish
