#!/usr/bin/env bash
# Interop: ferrum-tftpd against the real clients Debian ships (tftp-hpa, atftp, curl), in
# classic and single-port mode, over IPv4 and IPv6 loopback; the md5 of every transfer is
# checked, then the metrics and the per-transfer log lines. A 70 MB file with blksize 512
# crosses the 16-bit block number twice (rollover).
# Usage: interop.sh path/to/ferrum-tftpd
set -euo pipefail
bin=${1:?usage: interop.sh path/to/ferrum-tftpd}
for tool in tftp atftp curl md5sum; do
  command -v "$tool" >/dev/null || { echo "interop: $tool missing (run scripts/setup)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/ferrum-tftpd-interop.XXXXXX)
server_pid=
stop_server() {
  if [[ -n $server_pid ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT

root=$work/root
mkdir -p "$root/boot" "$work/out"
head -c 3000 /dev/urandom >"$root/small.bin"
head -c 2048 /dev/urandom >"$root/exact.bin"           # a multiple of 512: empty last block
head -c $((1024 * 1024)) /dev/urandom >"$root/boot/mid.bin"
head -c 73400320 /dev/urandom >"$root/big.bin"         # 143360 blocks of 512
printf 'line one\nline two\r\nbare\rcr\n' >"$root/text.txt"
: >"$root/empty.bin"
ln -s boot/mid.bin "$root/mid-link.bin"
mkdir -p "$work/outside" && echo secret >"$work/outside/secret"
ln -s ../outside/secret "$root/escape"

failures=0
checks=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# start_server [extra flags...]: starts ferrum-tftpd on 127.0.0.1 and ::1 with free ports.
start_server() {
  log=$work/server-$RANDOM.log
  "$bin" --listen '127.0.0.1:0,[::1]:0' --root "$root" --admin-listen 127.0.0.1:0 \
    --log-format json "$@" 2>"$log" &
  server_pid=$!
  for _ in $(seq 100); do
    if grep -q '"admin server listening"' "$log" 2>/dev/null; then break; fi
    sleep 0.1
  done
  port4=$(grep '"msg":"listening"' "$log" | grep -o '"address":"127.0.0.1:[0-9]*"' | grep -o '[0-9]*"$' | tr -d '"')
  port6=$(grep '"msg":"listening"' "$log" | grep -o '"address":"\[::1\]:[0-9]*"' | grep -o '[0-9]*"$' | tr -d '"')
  admin=$(grep '"admin server listening"' "$log" | grep -o '"port":[0-9]*' | cut -d: -f2)
  if [[ -z $port4 || -z $port6 || -z $admin ]]; then
    cat "$log" >&2
    echo "interop: server did not start" >&2
    exit 1
  fi
  transfers=0
}

metric() {  # metric 'series{labels}' -> value or 0
  curl -s "http://127.0.0.1:$admin/metrics" | awk -v s="$1" '$1 == s { print $2; found=1 } END { if (!found) print 0 }'
}

# check NAME REMOTE LOCAL: the fetched file must match the original.
check() {
  local name=$1 remote=$2 local=$3
  checks=$((checks + 1))
  transfers=$((transfers + 1))
  if [[ ! -f $local ]]; then fail "$name: no file"; return; fi
  local want got
  want=$(md5sum <"$root/$remote" | cut -d' ' -f1)
  got=$(md5sum <"$local" | cut -d' ' -f1)
  if [[ $want != "$got" ]]; then fail "$name: md5 $got, want $want"; else echo "ok   $name"; fi
  rm -f "$local"
}

hpa() {  # hpa HOST PORT REMOTE LOCAL [mode]
  tftp -m "${5:-binary}" "$1" "$2" -c get "$3" "$4"
}
atftp_get() {  # atftp_get HOST PORT REMOTE LOCAL options...
  local host=$1 port=$2 remote=$3 local=$4
  shift 4
  local args=() opt
  for opt in "$@"; do args+=(--option "$opt"); done
  atftp -g -r "$remote" -l "$local" "${args[@]}" "$host" "$port"
}

run_matrix() {  # run_matrix MODE-NAME
  local mode=$1 fam host url_host port
  for fam in 4 6; do
    if [[ $fam == 4 ]]; then host=127.0.0.1; url_host=127.0.0.1; port=$port4; else host=::1; url_host='[::1]'; port=$port6; fi
    local o=$work/out/f tag="$mode/ipv$fam"
    hpa "$host" "$port" small.bin "$o" && check "$tag tftp-hpa small" small.bin "$o"
    hpa "$host" "$port" /boot/mid.bin "$o" && check "$tag tftp-hpa /boot/mid.bin" boot/mid.bin "$o"
    hpa "$host" "$port" exact.bin "$o" && check "$tag tftp-hpa exact" exact.bin "$o"
    hpa "$host" "$port" empty.bin "$o" && check "$tag tftp-hpa empty" empty.bin "$o"
    atftp_get "$host" "$port" boot/mid.bin "$o" "blksize 1468" "tsize 0" "windowsize 4" "timeout 2" &&
      check "$tag atftp blksize 1468 tsize windowsize 4 timeout 2" boot/mid.bin "$o"
    atftp_get "$host" "$port" mid-link.bin "$o" "blksize 1468" "windowsize 16" &&
      check "$tag atftp windowsize 16 via symlink" boot/mid.bin "$o"
    atftp_get "$host" "$port" small.bin "$o" "blksize 8" && check "$tag atftp blksize 8" small.bin "$o"
    atftp_get "$host" "$port" exact.bin "$o" "tsize 0" "timeout 1" && check "$tag atftp tsize timeout" exact.bin "$o"
    atftp_get "$host" "$port" small.bin "$o" && check "$tag atftp no options" small.bin "$o"
    curl -sS -o "$o" "tftp://$url_host:$port/boot/mid.bin" && check "$tag curl default" boot/mid.bin "$o"
    curl -sS -o "$o" --tftp-blksize 1468 "tftp://$url_host:$port/boot/mid.bin" &&
      check "$tag curl --tftp-blksize 1468" boot/mid.bin "$o"
    curl -sS -o "$o" --tftp-blksize 65464 "tftp://$url_host:$port/small.bin" &&
      check "$tag curl --tftp-blksize 65464 (clamped)" small.bin "$o"
    curl -sS -o "$o" --tftp-no-options "tftp://$url_host:$port/exact.bin" &&
      check "$tag curl --tftp-no-options" exact.bin "$o"
  done
  # netascii: tftp-hpa converts back to local text, so the result equals the original.
  hpa 127.0.0.1 "$port4" text.txt "$work/out/t" netascii && check "$mode netascii" text.txt "$work/out/t"
}

# expect_error NAME WANT-EXIT WANT-TEXT COMMAND...: the command must fail with that exit code
# (curl: 68 TFTP not found, 69 TFTP permission) or, for tftp-hpa (which exits 0), print WANT-TEXT.
expect_error() {
  local name=$1 want_rc=$2 want=$3
  shift 3
  checks=$((checks + 1))
  local out rc=0
  out=$("$@" 2>&1) || rc=$?
  if [[ $want_rc != any && $rc != "$want_rc" ]]; then fail "$name: exit $rc, want $want_rc ($out)"; return; fi
  if grep -qi -- "$want" <<<"$out"; then echo "ok   $name"; else fail "$name: got '$out', want '$want'"; fi
}

for mode in classic single-port; do
  if [[ $mode == classic ]]; then start_server; else start_server --single-port; fi
  run_matrix "$mode"
  expected_ok=$transfers

  # Rollover: 70 MB with 512-byte blocks, lockstep, with and without options.
  if [[ $mode == classic ]]; then
    hpa 127.0.0.1 "$port4" big.bin "$work/out/big" && check "$mode tftp-hpa 70 MB blksize 512" big.bin "$work/out/big"
  else
    curl -sS -o "$work/out/big" --tftp-blksize 512 "tftp://[::1]:$port6/big.bin" &&
      check "$mode curl 70 MB blksize 512 tsize" big.bin "$work/out/big"
  fi
  expected_ok=$((expected_ok + 1))

  # Error paths through real clients.
  expect_error "$mode curl missing file -> error 1" 68 "" curl -sS -o /dev/null "tftp://127.0.0.1:$port4/nope.efi"
  expect_error "$mode curl traversal -> error 2" 69 "" \
    curl -sS -o /dev/null --path-as-is "tftp://127.0.0.1:$port4/../../etc/passwd"
  expect_error "$mode curl symlink escape -> error 2" 69 "" curl -sS -o /dev/null "tftp://[::1]:$port6/escape"
  expect_error "$mode tftp-hpa missing -> error 1" any "Error code 1" tftp -m binary 127.0.0.1 "$port4" -c get nope.efi "$work/out/x"
  echo data >"$work/out/up"
  expect_error "$mode tftp-hpa write -> error 2" any "Error code 2" tftp -m binary 127.0.0.1 "$port4" -c put "$work/out/up" up
  rm -f "$work/out/up" "$work/out/x"
  [[ -e $root/up ]] && fail "$mode: a write request created a file"

  # Metrics and logs agree with what happened.
  checks=$((checks + 1))
  ok=$(metric 'ferrum_tftp_transfers_finished_total{result="ok"}')
  active=$(metric ferrum_tftp_active_transfers)
  refused1=$(metric 'ferrum_tftp_transfers_failed_total{reason="refused",code="1"}')
  refused2=$(metric 'ferrum_tftp_transfers_failed_total{reason="refused",code="2"}')
  if [[ $ok != "$expected_ok" || $active != 0 || $refused1 != 2 || $refused2 != 3 ]]; then
    fail "$mode metrics: ok=$ok (want $expected_ok) active=$active refused1=$refused1 (want 2) refused2=$refused2 (want 3)"
  else
    echo "ok   $mode metrics: $ok transfers ok, 2 not found, 3 refused, 0 active"
  fi
  checks=$((checks + 1))
  lines=$(grep -c '"msg":"transfer finished".*"result":"ok"' "$log" || true)
  if [[ $lines != "$expected_ok" ]]; then fail "$mode log: $lines ok lines, want $expected_ok"; else echo "ok   $mode log: one line per transfer"; fi
  stop_server
  checks=$((checks + 1))
  grep -q '"msg":"stopped"' "$log" && echo "ok   $mode clean SIGTERM" || fail "$mode: no clean stop in log"
done

echo "interop: $checks checks, $failures failures"
((failures == 0))
