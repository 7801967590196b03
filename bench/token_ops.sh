#!/usr/bin/env bash
# One token operation at 64 keep-alive connections against a fresh gatekeeper-server on durable SQLite storage:
#   lookup   GET /v1/auth/token/lookup-self with the root token
#   create   POST /v1/auth/token/create {"ttl":"1h","policies":["default"]}
#   unwrap   POST /v1/sys/wrapping/unwrap of tokens made by a 10-second wrap run just before on the same server
# The wrk scripts are those of bench/api_bench.sh. Prints "req/s p99_ms non2xx server_cpu_% server_µs_per_request",
# the CPU (user + system, from /proc/PID/stat) being the server's over the measured run. Run two builds alternately,
# several rounds, to compare them.
# Usage: bench/token_ops.sh path/to/gatekeeper-server lookup|create|unwrap [seconds]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
server=$1
operation=$2
seconds=${3:-5}
bench_prologue wrk curl python3
start_gatekeeper "$server" "$work"
prepare_token_operation "$operation"

hz=$(getconf CLK_TCK)
cpu_before=$(awk '{print $14 + $15}' "/proc/$gk_pid/stat")
wrk -t2 -c64 -d"${seconds}s" --latency -s "$work/$script" "$url$path" >"$work/wrk.out"
cpu_after=$(awk '{print $14 + $15}' "/proc/$gk_pid/stat")
read -r rps p99 errors < <(wrk_summary "$work/wrk.out")
awk -v r="$rps" -v p="$p99" -v e="$errors" -v t=$((cpu_after - cpu_before)) -v hz="$hz" -v s="$seconds" \
    'BEGIN { cpu = 100 * t / hz / s; printf "%d %s %d %.0f %.0f\n", r, p, e, cpu, cpu * 1e4 / r }'
