#!/usr/bin/env bash
# ferrum-apiserver against idle TCP connects that never start TLS (issue 17): 1,024 of them
# from one address cannot take --max-connections (in-progress handshakes are bounded per
# address), a client that completed TLS keeps working while connects from many addresses fill
# the rest (--reserved-connections), and each idle connect is closed at the handshake deadline.
source "$(dirname "$0")/../lib.sh"
setup_tmp
MAX=256 PER=16 RESERVED=32 HS=3
start_apiserver api --max-connections $MAX --max-handshakes-per-client $PER \
  --reserved-connections $RESERVED --tls-handshake-timeout ${HS}s
out=$("$PY" "$(dirname "$0")/handshake_flood.py" "$KUBECONFIG" 1024 $HS $PER $((MAX - RESERVED)))
echo "  flood: $out"
field() { "$PY" -c "import json,sys; v=json.loads(sys.argv[1]).get(sys.argv[2]); print('' if v is None else v)" "$out" "$1"; }
equals "a kept-alive client works before the flood" "$(field established_before)" 200
equals "one address holds at most --max-handshakes-per-client idle connects" "$(field one_address_held)" $PER
equals "a new TLS client (one attempt) is served during 1,024 idle connects from one address" \
  "$(field new_client_during_one_address_flood)" 200
equals "kubectl works during them" "$(field kubectl_during_one_address_flood)" 0
equals "the kept-alive client works during it" "$(field established_during_one_address_flood)" 200
equals "the kept-alive client works while idle connects from many addresses fill the rest" \
  "$(field established_during_many_address_flood)" 200
equals "idle connects are closed at the ${HS}s handshake deadline" "$(field idle_closed_by_deadline)" True
equals "... all of them" "$(field idle_left_open)" 0
equals "kubectl works after the flood" "$(field kubectl_after)" 0
out=$("$FERRUM_BIN/ferrum-apiserver" --data-dir "$TMP/x" --max-connections 10 --reserved-connections 10 2>&1); rc=$?
check "--reserved-connections >= --max-connections is refused (rc $rc)" test $rc -ne 0
contains "... naming the flag" "$out" "--reserved-connections 10: must be less than --max-connections (10)"
finish
