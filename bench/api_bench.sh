#!/usr/bin/env bash
# Token authority benchmark: gatekeeper-server on durable SQLite storage, wrk with 2 threads and 64 keep-alive
# connections, and nginx serving a static JSON answer in the same run as the reference.
#   token create (durable), lookup-self, KV read, KV write (durable), unwrap (durable),
#   then the server's resident memory before and after storing a batch of tokens.
# Usage: bench/api_bench.sh [path/to/gatekeeper-server] [seconds]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
server=${1:-build/release/app/gatekeeper-server}
seconds=${2:-10}
bench_prologue wrk nginx curl python3

start_gatekeeper "$server" "$work"
curl -sf -X POST -H "X-Vault-Token: $GK_TOKEN" -d '{"value":"bench-secret-value"}' "$url/v1/secret/bench" >/dev/null

# nginx answers the bytes of /v1/sys/health from a file, with 2 workers (one per core).
mkdir -p "$work/www/v1/sys"
curl -s "$url/v1/sys/health" >"$work/www/v1/sys/health"
start_nginx "$work"

write_wrk_scripts "$work"
export WORK=$work

run() { # label url [script] -> table row
    local label=$1 target=$2 script=${3:-}
    local args=(-t2 -c64 -d"${seconds}s" --latency)
    [ -n "$script" ] && args+=(-s "$work/$script")
    wrk "${args[@]}" "$target" >"$work/wrk.out"
    local rps p99 errors
    read -r rps p99 errors < <(wrk_summary "$work/wrk.out")
    printf '| %s | %s | %s | %s |\n' "$label" "$rps" "$p99" "$errors"
}
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$gk_pid/status"; }

echo "| operation | req/s | p99 ms | non-2xx answers |"
echo "|---|---|---|---|"
run "nginx: static health JSON (reference)" "http://127.0.0.1:$nginx_port/v1/sys/health"
run "GET /v1/sys/health" "$url/v1/sys/health"
rss_before=$(rss_kib)
tokens_before=$(sqlite3 "$work/gk.db" "select count(*) from kv where key like 'sys/token/id/%'" 2>/dev/null || echo "?")
run "token create (durable)" "$url/v1/auth/token/create" token_create.lua
rss_after=$(rss_kib)
tokens_after=$(sqlite3 "$work/gk.db" "select count(*) from kv where key like 'sys/token/id/%'" 2>/dev/null || echo "?")
run "lookup-self" "$url/v1/auth/token/lookup-self" lookup_self.lua
run "KV read" "$url/v1/secret/bench" lookup_self.lua
run "KV write (durable)" "$url/v1/secret/load" kv_write.lua
# The wrap run lasts twice as long, so that each unwrap thread has tokens for its whole run.
seconds=$((seconds * 2))
run "wrap (durable, to feed unwrap; twice the time)" "$url/v1/sys/wrapping/wrap" wrap.lua
seconds=$((seconds / 2))
run "unwrap (durable)" "$url/v1/sys/wrapping/unwrap" unwrap.lua
echo
echo "RSS before token create: ${rss_before} KiB, after: ${rss_after} KiB; stored tokens ${tokens_before} -> ${tokens_after}"
