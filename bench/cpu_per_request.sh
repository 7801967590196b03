#!/usr/bin/env bash
# Where the 2 cores go at 64 keep-alive connections: for nginx serving a static JSON file, for lookup-self and for
# GET /v1/sys/health, the req/s and p99 of a 6-second wrk run, and the CPU that the server and wrk each used in the
# middle 5 seconds of it (from /proc/PID/stat), in % of one core and in microseconds per request.
# Usage: bench/cpu_per_request.sh [path/to/gatekeeper-server]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
server=${1:-build/release/app/gatekeeper-server}
bench_prologue wrk nginx curl python3

start_gatekeeper "$server" "$work"
mkdir -p "$work/www/v1/sys"
curl -s "$url/v1/sys/health" >"$work/www/v1/sys/health"
start_nginx "$work"
cat >"$work/lookup.lua" <<'LUA'
wrk.headers["X-Vault-Token"] = os.getenv("GK_TOKEN")
LUA

hz=$(getconf CLK_TCK)
ticks() { # PID...: user + system clock ticks used so far
    local total=0 pid
    for pid in "$@"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done
    echo "$total"
}
measure() { # LABEL URL SCRIPT PID...
    local label=$1 target=$2 script=$3
    shift 3
    local args=(-t2 -c64 -d6s --latency)
    [ -n "$script" ] && args+=(-s "$script")
    wrk "${args[@]}" "$target" >"$work/wrk.out" &
    local wrk_pid=$!
    sleep 0.5
    local s0 w0 s1 w1
    s0=$(ticks "$@")
    w0=$(ticks "$wrk_pid")
    sleep 5
    s1=$(ticks "$@")
    w1=$(ticks "$wrk_pid")
    wait "$wrk_pid"
    local rps p99 errors
    read -r rps p99 errors < <(wrk_summary "$work/wrk.out")
    awk -v l="$label" -v r="$rps" -v p="$p99" -v e="$errors" -v s=$((s1 - s0)) -v w=$((w1 - w0)) -v hz="$hz" \
        'BEGIN { sc = 100 * s / hz / 5; wc = 100 * w / hz / 5
                 printf "| %s | %d | %s | %d | %.0f | %.1f | %.0f | %.1f |\n", l, r, p, e, sc, sc * 1e4 / r, wc, wc * 1e4 / r }'
}

echo "| answer | req/s | p99 ms | non-2xx | server % of a core | server µs/req | wrk % of a core | wrk µs/req |"
echo "|---|---|---|---|---|---|---|---|"
# The workers of nginx (its master only waits).
measure "nginx: static health JSON" "http://127.0.0.1:$nginx_port/v1/sys/health" "" $(pgrep -P "$(cat "$work/nginx.pid")")
measure "lookup-self" "$url/v1/auth/token/lookup-self" "$work/lookup.lua" "$gk_pid"
measure "GET /v1/sys/health" "$url/v1/sys/health" "" "$gk_pid"
