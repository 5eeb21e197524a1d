# Helpers for ferrum-reconciler's integration tests (and its benchmark's set-up). Sources
# lib.sh and the bmcd, ipmi_sim and registry helpers itself.
_reconciler_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$_reconciler_lib_dir/../lib.sh"
source "$_reconciler_lib_dir/../bmcd/bmcd_lib.sh"
source "$_reconciler_lib_dir/../bmcd/ipmi_lab.sh"
source "$_reconciler_lib_dir/../registry/registry_lib.sh"

# reconciler_test_init AGENT_CLIENT: the temp dir, the agent client (`ac`), exported helpers.
reconciler_test_init() {
  AGENT_CLIENT=$1
  setup_tmp
  export_helpers
}

# start_peers BMC_NAME...: what ferrum-reconciler talks to besides the API server (start that
# first): one ipmi_sim BMC per name on a free UDP port (BMC_PORT[name]), ferrum-bmcd, and
# ferrum-registry keeping BMC credentials in the namespace bmc-creds.
declare -A BMC_PORT
start_peers() {
  kubectl create namespace bmc-creds >/dev/null
  local ports=($(free_udp_ports $#)) i=0 name
  for name in "$@"; do
    BMC_PORT[$name]=${ports[i]}
    start_bmc "$name" "${ports[i]}"
    i=$((i + 1))
  done
  start_bmcd
  start_registry --bmc-secret-namespace bmc-creds
}

# start_reconciler NAME [extra flags...]: starts ferrum-reconciler against $KUBECONFIG and
# $BMCD_ADDR; its log is $TMP/NAME.log. Sets RECONCILER_PID and RECONCILER_ADMIN.
start_reconciler() {
  local name=$1; shift
  local log=$TMP/$name.log
  : >"$log"
  start_daemon ferrum-reconciler "$log" "admin server listening" "$FERRUM_BIN/ferrum-reconciler" \
    --kubeconfig "$KUBECONFIG" --bmcd-endpoint "$BMCD_ADDR" --admin-listen 127.0.0.1:0 "$@"
  RECONCILER_PID=$DAEMON_PID
  RECONCILER_ADMIN=$DAEMON_ADMIN
}

# srv UUID JQ: a jq expression over the Server.
srv() { kubectl get server "$1" -o json | jq -r "$2"; }
# cond OBJ-ARGS TYPE FIELD: one condition field of an object ("kubectl get" arguments).
cond() {
  local type=$2 fieldname=$3
  kubectl get $1 -o json | jq -r "[.status.conditions[]? | select(.type==\"$type\")][0].$fieldname // \"\""
}
# has_event NAME REASON: an Event about NAME with REASON exists (any namespace).
has_event() {
  kubectl get events -A -o json |
    jq -e --arg n "$1" --arg r "$2" '[.items[] | select(.involvedObject.name==$n and .reason==$r)] | length > 0' >/dev/null
}
# event_count NAME REASON: how many times (Event count, summed) it was reported.
event_count() {
  kubectl get events -A -o json |
    jq --arg n "$1" --arg r "$2" '[.items[] | select(.involvedObject.name==$n and .reason==$r) | (.count // 1)] | add // 0'
}
# calls NAME: what the BMC NAME was asked to do, space separated.
calls() { tr '\n' ' ' <"$TMP/bmc-$1/state/calls" 2>/dev/null; }

# reconciles ADMIN: how many Server reconciles the reconciler at ADMIN has finished.
reconciles() {
  curl -s "http://$1/metrics" |
    awk '/^ferrum_reconcile_total[{]controller="server",/ {n += $2} END {printf "%d\n", n}'
}
# wait_reconciled ADMIN [N]: until the reconciler at ADMIN finished N (default 2) more Server
# reconciles than now. A key is reconciled by one worker at a time, so with one Server the
# second began after this call: whatever it was going to do about the state before the call
# is done. Used instead of sleeping before checking that nothing happened (the rules
# themselves are unit tests on a ManualClock: tests/unit/reconciler/server_controller_test).
wait_reconciled() {
  local admin=$1 n=${2:-2} from
  from=$(reconciles "$admin")
  wait_until 20 bash -c "(( \$(reconciles $admin) >= $from + $n ))"
}

# export_helpers: makes the helpers usable inside `bash -c` checks (call after setup_tmp).
export_helpers() {
  export TMP
  export -f srv cond has_event event_count calls bmc_state reconciles
}
