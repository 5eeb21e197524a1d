#!/usr/bin/env bash
# scripts/check-leftovers: names the processes that carry this run's marker, never those of
# another run (another marker) or without one; --kill ends only the named ones (by PID).
# Usage: check_leftovers_test.sh SCRIPTS_DIR
check=${1:?usage: check_leftovers_test.sh SCRIPTS_DIR}/check-leftovers
failures=0 passes=0
ok() { passes=$((passes + 1)); echo "ok   - $*"; }
bad() { failures=$((failures + 1)); echo "FAIL - $*"; }
mine="selftest-$$-$RANDOM" other="selftest-other-$$-$RANDOM"
FERRUM_RUN_ID=$mine sleep 300 &
p_mine=$!
FERRUM_RUN_ID=$other sleep 300 &
p_other=$!
env -u FERRUM_RUN_ID sleep 300 &
p_none=$!
trap 'kill $p_mine $p_other $p_none 2>/dev/null; wait 2>/dev/null' EXIT
# The children exec sleep with the marker in their environment: wait for that condition.
for _ in $(seq 100); do
  tr '\0' '\n' <"/proc/$p_mine/environ" 2>/dev/null | grep -qx "FERRUM_RUN_ID=$mine" && break
  sleep 0.05
done

out=$("$check" --marker "FERRUM_RUN_ID=$mine" --grace 0.2 2>&1)
rc=$?
[[ $rc == 1 ]] && ok "a marked process: exit 1" || bad "a marked process: exit $rc"
[[ $out == *"pid $p_mine: "*sleep* ]] && ok "it is named" || bad "it is named: $out"
[[ $out != *"pid $p_other:"* && $out != *"pid $p_none:"* ]] && ok "other runs' processes are not" ||
  bad "other runs' processes are not: $out"
"$check" --marker "FERRUM_RUN_ID=$mine" --grace 2 --kill >/dev/null 2>&1
wait "$p_mine" 2>/dev/null
kill -0 "$p_mine" 2>/dev/null && bad "--kill ends it" || ok "--kill ends it"
kill -0 "$p_other" 2>/dev/null && kill -0 "$p_none" 2>/dev/null && ok "--kill leaves the others" ||
  bad "--kill leaves the others"
"$check" --marker "FERRUM_RUN_ID=$mine" --grace 0.2 && ok "nothing left: exit 0" || bad "nothing left: exit 1"
"$check" --marker "FERRUM_RUN_ID=" >/dev/null 2>&1
[[ $? == 2 ]] && ok "an empty marker is a usage error" || bad "an empty marker is a usage error"
echo "$passes passed, $failures failed"
((failures == 0))
