#!/usr/bin/env bash
# Resident memory of gatekeeper-server as stored tokens grow: durable token creates at 64 keep-alive connections
# (wrk, 2 threads) in rounds, with the server's VmRSS and the number of tokens created after each round.
# Usage: bench/token_memory.sh [path/to/gatekeeper-server] [rounds] [seconds per round]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
server=${1:-build/app/gatekeeper-server}
rounds=${2:-10}
seconds=${3:-15}
bench_prologue wrk curl python3

start_gatekeeper "$server" "$work"
cat >"$work/token_create.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"ttl":"768h","policies":["default"]}'
function init(args)
    wrk.headers["X-Vault-Token"] = os.getenv("GK_TOKEN")
    wrk.headers["Content-Type"] = "application/json"
end
LUA
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$gk_pid/status"; }

rss0=$(rss_kib)
tokens=0
echo "| after round | tokens created | VmRSS KiB | KiB per 1,000 tokens since start | non-2xx |"
echo "|---|---|---|---|---|"
echo "| 0 | 0 | $rss0 | | |"
for round in $(seq "$rounds"); do
    wrk -t2 -c64 -d"${seconds}s" -s "$work/token_create.lua" "$url/v1/auth/token/create" >"$work/wrk.out"
    made=$(awk '/requests in/ {print $1}' "$work/wrk.out")
    errors=$(awk '/Non-2xx/ {print $5}' "$work/wrk.out")
    tokens=$((tokens + made - ${errors:-0}))
    rss=$(rss_kib)
    per=$(awk -v r="$rss" -v r0="$rss0" -v t="$tokens" 'BEGIN {printf "%.1f", (r - r0) * 1000 / t}')
    echo "| $round | $tokens | $rss | $per | ${errors:-0} |"
done
echo
echo "database: $(du -k "$work/gk.db" | cut -f1) KiB, WAL: $(du -k "$work/gk.db-wal" 2>/dev/null | cut -f1) KiB"
