# Starting ferrum-registry for the integration tests and the benchmark. Source after lib.sh.

# start_registry [extra flags...]: starts ferrum-registry against $KUBECONFIG on free
# loopback ports; sets REGISTRY_PID, REGISTRY_ADDR (gRPC), REGISTRY_ADMIN, REGISTRY_LOG.
start_registry() {
  REGISTRY_LOG=$TMP/registry.log
  : >"$REGISTRY_LOG"
  "$FERRUM_BIN/ferrum-registry" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 \
    --kubeconfig "$KUBECONFIG" "$@" >>"$REGISTRY_LOG" 2>&1 &
  REGISTRY_PID=$!
  track_pid "$REGISTRY_PID"
  local i port admin
  for i in $(seq 1 100); do
    port=$(grep '"grpc listening"' "$REGISTRY_LOG" | grep -o '"port":[0-9]*' | cut -d: -f2)
    admin=$(grep '"admin server listening"' "$REGISTRY_LOG" | grep -o '"port":[0-9]*' | cut -d: -f2)
    if [[ -n $port && -n $admin ]]; then
      REGISTRY_ADDR=127.0.0.1:$port
      REGISTRY_ADMIN=127.0.0.1:$admin
      return 0
    fi
    if ! kill -0 "$REGISTRY_PID" 2>/dev/null; then echo "ferrum-registry exited:"; cat "$REGISTRY_LOG"; exit 1; fi
    sleep 0.1
  done
  echo "ferrum-registry did not start:"; cat "$REGISTRY_LOG"; exit 1
}

# stop_registry: SIGTERM, waits; sets REGISTRY_RC.
stop_registry() {
  kill -TERM "$REGISTRY_PID"
  wait "$REGISTRY_PID"
  REGISTRY_RC=$?
}

# ac ARGS...: the agent client against the running registry.
ac() { "$AGENT_CLIENT" "$REGISTRY_ADDR" "$@"; }
