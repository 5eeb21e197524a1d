#!/bin/sh
# Runs one libFuzzer target for a while from its seed corpus and prints libFuzzer's final
# stats (stat::number_of_executed_units is the executions count scripts/fuzz reports).
# Usage: run_target.sh [--fresh] <binary> <seed dir> <work dir> <seconds> [libFuzzer flags]
# The corpus is <work dir>/corpus, created when missing (--fresh: emptied first) with the
# seeds copied in, so the committed seeds stay untouched while libFuzzer adds what it finds.
# A crash, hang or leak fails the run and leaves its reproducer in <work dir> as
# crash-* / timeout-* / oom-* / leak-*.
set -eu
fresh=0
if [ "${1:-}" = --fresh ]; then
  fresh=1
  shift
fi
bin=$1 seeds=$2 work=$3 seconds=$4
shift 4
[ "$fresh" = 1 ] && rm -rf "$work/corpus"
mkdir -p "$work/corpus"
cp "$seeds"/* "$work/corpus"/
# -timeout: one input taking 10 s is a hang worth a report; -rss_limit_mb: two targets run
# side by side on the 2-core test machine; -print_final_stats: the executions count.
exec "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/" "$@" "$work/corpus"
