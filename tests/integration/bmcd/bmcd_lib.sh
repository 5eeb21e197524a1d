# Starting ferrum-bmcd for the integration tests. Source after lib.sh.

# start_bmcd [extra flags...]: starts ferrum-bmcd against $KUBECONFIG on free loopback ports;
# sets BMCD_PID, BMCD_ADDR (gRPC host:port), BMCD_ADMIN (admin host:port), BMCD_LOG.
start_bmcd() {
  BMCD_LOG=${BMCD_LOG_FILE:-$TMP/bmcd.log}
  start_daemon ferrum-bmcd "$BMCD_LOG" "admin server listening" "$FERRUM_BIN/ferrum-bmcd" \
    --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --kubeconfig "$KUBECONFIG" "$@"
  BMCD_PID=$DAEMON_PID
  BMCD_ADMIN=$DAEMON_ADMIN
  BMCD_ADDR=127.0.0.1:$(log_port "$BMCD_LOG" "grpc listening")
}

# pc ARGS...: the Power client against the running bmcd, without the elapsed_ms line.
pc() { "$POWER_CLIENT" "$BMCD_ADDR" "$@" | grep -v '^elapsed_ms'; }

# ipmi_server NAME PORT USER PASS: a Server with an inline BMC on 127.0.0.1:PORT.
ipmi_server() {
  kubectl apply -f - >/dev/null <<YAML
apiVersion: metal.sidero.dev/v1alpha2
kind: Server
metadata:
  name: $1
spec:
  accepted: true
  bmc:
    endpoint: 127.0.0.1
    port: $2
    user: $3
    pass: $4
YAML
}
