#!/usr/bin/env bash
# ferrum-ipxe-http under a slowloris attack (issue 17): one address holding many connections
# that trickle their request heads cannot lock out a PXE client from another address, a
# trickling connection is closed at the head's total deadline, and /readyz reports the
# connection cap when it is full. Real daemon, real sockets, loopback addresses 127.0.0.x.
source "$(dirname "$0")/../lib.sh"
setup_tmp
start_apiserver api
mkdir -p "$TMP/tftp"
HEAD=2 PER=16 MAX=64
start_daemon ferrum-ipxe-http "$TMP/ipxe.log" serving "$FERRUM_BIN/ferrum-ipxe-http" \
  --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --api-endpoint 127.0.0.1 \
  --tftp-root "$TMP/tftp" --asset-dir "$TMP/assets" --agent-dir "$TMP/agent" --kubeconfig "$KUBECONFIG" \
  --header-timeout ${HEAD}s --max-connections $MAX --max-connections-per-client $PER
port=$(log_port "$TMP/ipxe.log" serving)
admin=${DAEMON_ADMIN##*:}
check "readyz before the attack" wait_until 20 curl -sf "http://127.0.0.1:$admin/readyz"
out=$("$PY" "$(dirname "$0")/slowloris.py" "$port" "$admin" $HEAD $PER $MAX)
echo "  slowloris: $out"
field() { "$PY" -c "import json,sys; v=json.loads(sys.argv[1]).get(sys.argv[2]); print('' if v is None else v)" "$out" "$1"; }
equals "one address holds no more than its share ($PER)" "$(field slow_held)" $PER
equals "a PXE client from 127.0.0.2 is served during the attack" "$(field legit_status)" 200
closed=$(field slow_closed_after_s)
check "a trickling connection is closed at the total head deadline (${HEAD}s), not kept by its bytes (closed after ${closed:-never} s)" \
  "$PY" -c "import sys; v=sys.argv[1]; sys.exit(0 if v and float(v) <= $HEAD + 1 else 1)" "$closed"
equals "/readyz is 503 while the connection cap is full" "$(field readyz_full)" 503
contains "... and says why" "$(field readyz_full_body)" "connection cap full: $MAX of $MAX open"
check "/readyz recovers once the connections are gone" wait_until 10 curl -sf "http://127.0.0.1:$admin/readyz"
equals "the server still answers" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/boot.ipxe")" 200
contains "refusals are counted by reason" "$(curl -s "http://127.0.0.1:$admin/metrics")" \
  'ferrum_ipxe_http_connections_rejected_total{reason="per_client"}'
finish
