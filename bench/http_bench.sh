#!/usr/bin/env bash
# HTTP benchmark: gatekeeper-server vs nginx serving the same JSON on loopback, in the same run.
# wrk with 2 threads and 64 keep-alive connections against GET /v1/sys/health and /v1/sys/seal-status.
# Usage: bench/http_bench.sh [path/to/gatekeeper-server] [seconds]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
server=${1:-build/release/app/gatekeeper-server}
seconds=${2:-10}
bench_prologue wrk nginx curl

launch_gatekeeper "$server" "$work" --dev
gk_url=$url

# nginx serves the very bytes gatekeeper answers, from memory files, with 2 workers (one per core).
mkdir -p "$work/www/v1/sys"
curl -s "$gk_url/v1/sys/health" >"$work/www/v1/sys/health"
curl -s "$gk_url/v1/sys/seal-status" >"$work/www/v1/sys/seal-status"
start_nginx "$work"

run() { # url -> "req/s p99_ms non2xx"
    wrk -t2 -c64 -d"${seconds}s" --latency "$1" >"$work/wrk.out"
    wrk_summary "$work/wrk.out"
}

printf '| route | gatekeeper req/s | gatekeeper p99 ms | nginx req/s | nginx p99 ms | ratio |\n|---|---|---|---|---|---|\n'
for route in /v1/sys/health /v1/sys/seal-status; do
    read -r g_rps g_p99 _ < <(run "$gk_url$route")
    read -r n_rps n_p99 n_errors < <(run "http://127.0.0.1:$nginx_port$route")
    [ "$n_errors" = 0 ] || echo "warning: nginx answered $n_errors non-2xx" >&2
    ratio=$(awk -v a="$g_rps" -v b="$n_rps" 'BEGIN {printf "%.2f", a / b}')
    printf '| %s | %.0f | %s | %.0f | %s | %s× |\n' "$route" "$g_rps" "$g_p99" "$n_rps" "$n_p99" "$ratio"
done
