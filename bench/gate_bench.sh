#!/usr/bin/env bash
# Access-request benchmark: gatekeeper-server on durable SQLite storage, one policy gate needing two approvals.
#   1. the whole cycle (request -> two approvals -> read grant code -> claim) per second, on 1 and on 8 client
#      threads (bench/gate_cycle.py, one requester user per thread, keep-alive connections);
#   2. what a 1 % approval mix costs token lookups: wrk lookup-self with 2 threads and 64 connections alone, then
#      again while the cycle driver runs paced so that its requests are 1 % of the lookups measured alone.
# Usage: bench/gate_bench.sh [path/to/gatekeeper-server] [seconds]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
server=${1:-build/release/app/gatekeeper-server}
seconds=${2:-10}
bench_prologue wrk curl python3
start_gatekeeper "$server" "$work"
state=$work/users.json
python3 "$here/gate_cycle.py" setup "$url" "$GK_TOKEN" 8 "$state"

echo "| client threads | cycles | cycles/s | p99 cycle ms | failed cycles |"
echo "|---|---|---|---|---|"
for threads in 1 8; do
    read -r cycles rate p99 failed < <(python3 "$here/gate_cycle.py" run "$url" "$state" "$threads" "$seconds")
    printf '| %s | %s | %s | %s | %s |\n' "$threads" "$cycles" "$rate" "$p99" "$failed"
done

cat >"$work/lookup_self.lua" <<'LUA'
function init(args) wrk.headers["X-Vault-Token"] = os.getenv("GK_TOKEN") end
LUA
lookups() { # -> "req/s p99_ms non2xx"
    wrk -t2 -c64 -d"${seconds}s" --latency -s "$work/lookup_self.lua" "$url/v1/auth/token/lookup-self" >"$work/wrk.out"
    wrk_summary "$work/wrk.out"
}
echo
echo "| load | lookups/s | lookup p99 ms | non-2xx | gate cycles/s alongside |"
echo "|---|---|---|---|---|"
read -r alone_rps alone_p99 alone_errors < <(lookups)
printf '| lookup-self alone | %s | %s | %s | - |\n' "$alone_rps" "$alone_p99" "$alone_errors"
# A cycle is five requests: pace the cycles so that they are 1 % of the lookups measured alone.
mix_rate=$(python3 -c "print(max(0.1, $alone_rps * 0.01 / 5))")
python3 "$here/gate_cycle.py" run "$url" "$state" 8 "$seconds" "$mix_rate" >"$work/mix.out" &
mix_pid=$!
read -r mix_rps mix_p99 mix_errors < <(lookups)
wait "$mix_pid"
read -r _ mix_cycles _ mix_failed <"$work/mix.out"
printf '| lookup-self with 1 %% approval mix | %s | %s | %s | %s (%s failed) |\n' \
    "$mix_rps" "$mix_p99" "$mix_errors" "$mix_cycles" "$mix_failed"
