# Starting ferrum-bmcd for the integration tests. Source after lib.sh.

# start_bmcd [extra flags...]: starts ferrum-bmcd against $KUBECONFIG on free loopback ports;
# sets BMCD_PID, BMCD_ADDR (gRPC host:port), BMCD_ADMIN (admin host:port), BMCD_LOG.
start_bmcd() {
  BMCD_LOG=$TMP/bmcd.log
  "$FERRUM_BIN/ferrum-bmcd" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --kubeconfig "$KUBECONFIG" "$@" \
    >>"$BMCD_LOG" 2>&1 &
  BMCD_PID=$!
  track_pid "$BMCD_PID"
  local i port admin
  for i in $(seq 1 100); do
    port=$(grep '"grpc listening"' "$BMCD_LOG" 2>/dev/null | grep -o '"port":[0-9]*' | cut -d: -f2)
    admin=$(grep '"admin server listening"' "$BMCD_LOG" 2>/dev/null | grep -o '"port":[0-9]*' | cut -d: -f2)
    if [[ -n $port && -n $admin ]]; then
      BMCD_ADDR=127.0.0.1:$port
      BMCD_ADMIN=127.0.0.1:$admin
      return 0
    fi
    if ! kill -0 "$BMCD_PID" 2>/dev/null; then echo "ferrum-bmcd exited:"; cat "$BMCD_LOG"; exit 1; fi
    sleep 0.1
  done
  echo "ferrum-bmcd did not start:"; cat "$BMCD_LOG"; exit 1
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
