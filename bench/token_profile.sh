#!/usr/bin/env bash
# Where the server's time goes during one token operation: `perf record` of gatekeeper-server for 4 seconds in the
# middle of an 8-second wrk run at 64 keep-alive connections (durable SQLite storage, as bench/token_ops.sh).
# Writes perf.data in the current directory and prints wrk's req/s and p99. Needs perf (linux-perf) and root.
# Extra arguments go to `perf record` (default -g); for example, which code calls getpid:
#   bench/token_profile.sh build/app/gatekeeper-server create -e syscalls:sys_enter_getpid --call-graph dwarf
# Then: perf report --no-children --sort dso   (or --sort dso,sym; perf script for the call chains).
# Usage: bench/token_profile.sh path/to/gatekeeper-server lookup|create|unwrap [perf record arguments...]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
server=$1
operation=$2
shift 2
record_args=("$@")
[ ${#record_args[@]} -gt 0 ] || record_args=(-g)
out=$PWD/perf.data
bench_prologue wrk curl python3 perf
start_gatekeeper "$server" "$work"
prepare_token_operation "$operation"

wrk -t2 -c64 -d8s --latency -s "$work/$script" "$url$path" >"$work/wrk.out" &
wrk_pid=$!
sleep 2
perf record "${record_args[@]}" -o "$out" -p "$gk_pid" -- sleep 4 >/dev/null 2>&1
wait "$wrk_pid"
read -r rps p99 errors < <(wrk_summary "$work/wrk.out")
echo "$rps req/s, p99 $p99 ms, $errors non-2xx; profile in $out"
