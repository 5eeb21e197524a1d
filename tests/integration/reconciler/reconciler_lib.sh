# Helpers for ferrum-reconciler's integration tests. Source after lib.sh, bmcd_lib.sh,
# ipmi_lab.sh and registry_lib.sh.

# start_reconciler NAME [extra flags...]: starts ferrum-reconciler against $KUBECONFIG and
# $BMCD_ADDR; its log is $TMP/NAME.log. Sets RECONCILER_PID and RECONCILER_ADMIN.
start_reconciler() {
  local name=$1; shift
  local log=$TMP/$name.log
  : >"$log"
  "$FERRUM_BIN/ferrum-reconciler" --kubeconfig "$KUBECONFIG" --bmcd-endpoint "$BMCD_ADDR" \
    --admin-listen 127.0.0.1:0 "$@" >>"$log" 2>&1 &
  RECONCILER_PID=$!
  track_pid "$RECONCILER_PID"
  local i admin
  for i in $(seq 1 100); do
    admin=$(grep '"admin server listening"' "$log" | grep -o '"port":[0-9]*' | cut -d: -f2)
    if [[ -n $admin ]]; then
      RECONCILER_ADMIN=127.0.0.1:$admin
      return 0
    fi
    if ! kill -0 "$RECONCILER_PID" 2>/dev/null; then echo "ferrum-reconciler exited:"; cat "$log"; exit 1; fi
    sleep 0.1
  done
  echo "ferrum-reconciler did not start:"; cat "$log"; exit 1
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

# export_helpers: makes the helpers usable inside `bash -c` checks (call after setup_tmp).
export_helpers() {
  export TMP
  export -f srv cond has_event event_count calls bmc_state
}
