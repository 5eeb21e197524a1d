# Shared helpers for Ferrum's integration tests (bash). Source it, then call `setup_tmp`.
# Every process a test starts is recorded and stopped by PID at exit; the temporary
# directory is removed unless FERRUM_KEEP_TMP=1.
# No `set -e`/pipefail: a test keeps going after a failed check (and `cmd | head` must not
# abort it on SIGPIPE); every check reports itself and finish() sets the exit code.
set -u

FERRUM_ROOT=${FERRUM_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
FERRUM_BIN=${FERRUM_BIN:-$FERRUM_ROOT/build/bin}
PY=/usr/bin/python3  # Debian's python, which has python3-kubernetes and python3-yaml

_pids=()
_failures=0
_passes=0
TMP=""

_cleanup() {
  local pid
  for pid in "${_pids[@]:-}"; do
    [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${_pids[@]:-}"; do
    [[ -n $pid ]] && wait "$pid" 2>/dev/null || true
  done
  if [[ -n $TMP && ${FERRUM_KEEP_TMP:-0} != 1 ]]; then rm -rf "$TMP"; fi
}
trap _cleanup EXIT

setup_tmp() { TMP=$(mktemp -d /tmp/ferrum-it.XXXXXX); }

track_pid() { _pids+=("$1"); }

# start_apiserver NAME [extra flags...]: starts ferrum-apiserver on a free loopback port with
# data in $TMP/NAME, waits until it is ready, and sets APISERVER_PID and KUBECONFIG.
start_apiserver() {
  local name=$1; shift
  local dir=$TMP/$name
  mkdir -p "$dir"
  "$FERRUM_BIN/ferrum-apiserver" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --data-dir "$dir" \
    --crd-dir "$FERRUM_ROOT/charts/ferrum/crds" --crd-dir "$FERRUM_ROOT/charts/ferrum/crds-capi" \
    --log-level warn "$@" >>"$dir/log" 2>&1 &
  APISERVER_PID=$!
  track_pid "$APISERVER_PID"
  export KUBECONFIG=$dir/kubeconfig
  local i
  for i in $(seq 1 100); do
    if [[ -f $KUBECONFIG ]] && kubectl get --raw /readyz >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$APISERVER_PID" 2>/dev/null; then
      echo "ferrum-apiserver exited during start-up:"; cat "$dir/log"; exit 1
    fi
    sleep 0.1
  done
  echo "ferrum-apiserver did not become ready:"; cat "$dir/log"; exit 1
}

# start_daemon NAME LOG READY_MESSAGE CMD...: starts CMD (a Ferrum daemon given
# --admin-listen 127.0.0.1:0) with its output appended to LOG, records its PID, and waits up to
# 10 s for a log line with READY_MESSAGE ("admin server listening" unless the daemon logs
# something later). Sets DAEMON_PID and DAEMON_ADMIN (127.0.0.1:port). Ends the test, showing
# LOG, when the daemon exits or is late.
start_daemon() {
  local name=$1 log=$2 ready=$3; shift 3
  : >>"$log"
  "$@" >>"$log" 2>&1 &
  DAEMON_PID=$!
  track_pid "$DAEMON_PID"
  local i
  for i in $(seq 1 100); do
    if grep -q "\"$ready\"" "$log"; then
      DAEMON_ADMIN=127.0.0.1:$(log_port "$log" "admin server listening")
      return 0
    fi
    if ! kill -0 "$DAEMON_PID" 2>/dev/null; then echo "$name exited:"; cat "$log"; exit 1; fi
    sleep 0.1
  done
  echo "$name did not start:"; cat "$log"; exit 1
}

# log_port LOG MESSAGE: the "port" field of the first log line with MESSAGE (empty if none).
log_port() {
  grep "\"$2\"" "$1" 2>/dev/null | grep -o '"port":[0-9]*' | head -1 | cut -d: -f2
}

# wait_until SECONDS CMD...: retries CMD every 0.1 s until it succeeds or time runs out.
wait_until() {
  local secs=$1; shift
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

pass() { _passes=$((_passes + 1)); echo "ok   - $*"; }
fail() { _failures=$((_failures + 1)); echo "FAIL - $*"; }

# check DESCRIPTION CMD...: passes when CMD succeeds.
check() {
  local what=$1; shift
  local out
  if out=$("$@" 2>&1); then pass "$what"; else fail "$what"; echo "$out" | sed 's/^/       /' | head -20; fi
}

# contains DESCRIPTION HAYSTACK NEEDLE
contains() {
  if [[ $2 == *"$3"* ]]; then pass "$1"; else fail "$1"; echo "       want: $3"; echo "$2" | sed 's/^/       got: /' | head -20; fi
}

# equals DESCRIPTION GOT WANT
equals() {
  if [[ $2 == "$3" ]]; then pass "$1"; else fail "$1"; echo "       want: $3"; echo "       got:  $2"; fi
}

finish() {
  echo "$_passes passed, $_failures failed"
  ((_failures == 0))
}
