# shellcheck shell=bash
# Nothing a benchmark starts may outlive it. Source this first thing in a script and call
# `run_guard "$@"`: when FERRUM_RUN_ID is unset it exports a fresh marker (every process the
# script starts inherits it), runs the script again as a child with the same arguments, then
# runs scripts/check-leftovers, which names and ends whatever still carries the marker, and
# exits with the script's status (1 if the script passed but left processes). In the child,
# or when a caller such as scripts/test already set a marker, it returns at once.
run_guard() {
  [[ -n ${FERRUM_RUN_ID:-} ]] && return 0
  local root since rc=0
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  FERRUM_RUN_ID="run-$$-$(date +%s%N)"
  export FERRUM_RUN_ID
  since=$(awk '{ print $22 }' "/proc/$$/stat")  # this script's start: children start later
  bash "$0" "$@" || rc=$?
  "$root/scripts/check-leftovers" --marker "FERRUM_RUN_ID=$FERRUM_RUN_ID" \
    --build "${FERRUM_BUILD_DIR:-$root/build}" --since-ticks "$since" --kill || {
    echo "$(basename "$0"): processes it started were still running (listed above)" >&2
    ((rc == 0)) && rc=1
  }
  exit "$rc"
}
