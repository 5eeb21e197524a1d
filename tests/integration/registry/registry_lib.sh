# Starting ferrum-registry for the integration tests and the benchmark. Source after lib.sh.

# start_registry [extra flags...]: starts ferrum-registry against $KUBECONFIG on free
# loopback ports; sets REGISTRY_PID, REGISTRY_ADDR (gRPC), REGISTRY_ADMIN, REGISTRY_LOG.
start_registry() {
  REGISTRY_LOG=$TMP/registry.log
  : >"$REGISTRY_LOG"
  start_daemon ferrum-registry "$REGISTRY_LOG" "admin server listening" "$FERRUM_BIN/ferrum-registry" \
    --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --kubeconfig "$KUBECONFIG" "$@"
  REGISTRY_PID=$DAEMON_PID
  REGISTRY_ADMIN=$DAEMON_ADMIN
  REGISTRY_ADDR=127.0.0.1:$(log_port "$REGISTRY_LOG" "grpc listening")
}

# stop_registry: SIGTERM, waits; sets REGISTRY_RC.
stop_registry() {
  kill -TERM "$REGISTRY_PID"
  wait "$REGISTRY_PID"
  REGISTRY_RC=$?
}

# ac ARGS...: the agent client against the running registry.
ac() { "$AGENT_CLIENT" "$REGISTRY_ADDR" "$@"; }
