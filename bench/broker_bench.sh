#!/usr/bin/env bash
# Task token broker benchmark: gatekeeper-server on durable SQLite storage, one static grid with 1000 registered
# tasks on 127.0.0.1, a task policy giving each task 1,000,000 uses of one role, the broker unsealed with the root
# token (which applies the task policies). wrk (2 threads, 64 keep-alive connections): each thread sends
# POST /v1/sys/wrapping/unwrap for every wrapping token it has received and not yet unwrapped, and otherwise
# POST /token for its next task (round robin). A non-2xx answer is reported.
# Usage: bench/broker_bench.sh [path/to/gatekeeper-server] [seconds]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
server=${1:-build/release/app/gatekeeper-server}
seconds=${2:-10}
bench_prologue wrk curl python3
start_gatekeeper "$server" "$work"

api() { # method path [body]
    curl -sf -X "$1" -H "X-Vault-Token: $GK_TOKEN" ${3:+-d "$3"} "$url$2" >/dev/null
}
api POST /v1/auth/token/roles/task '{"allowed_policies":["default"],"token_ttl":"10m"}'
api POST /v1/grids '{"name":"default","scheduler":{"type":"static","address":"http://127.0.0.1:1"},"trusted_subnets":["127.0.0.0/8"]}'
python3 - "$url" "$GK_TOKEN" <<'PY'
import http.client, json, sys, urllib.parse
address = urllib.parse.urlsplit(sys.argv[1])
conn = http.client.HTTPConnection(address.hostname, address.port)
for i in range(1000):
    conn.request("PUT", f"/v1/grids/default/tasks/t{i}", json.dumps({"host": "127.0.0.1", "name": "worker"}),
                 {"X-Vault-Token": sys.argv[2]})
    answer = conn.getresponse()
    answer.read()
    if answer.status != 200:
        sys.exit(f"task t{i}: {answer.status}")
PY
api PUT /v1/gatekeeper/policies '{"default:*":{"roles":["task"],"num_uses":1000000}}'
curl -sf -X POST -d "{\"method\":\"token\",\"token\":\"$GK_TOKEN\"}" "$url/unseal" >/dev/null

cat >"$work/token_unwrap.lua" <<'LUA'
local counter = 0
local pending = {}
request = function()
    if #pending > 0 then
        return wrk.format("POST", "/v1/sys/wrapping/unwrap", {["X-Vault-Token"] = table.remove(pending)}, "")
    end
    counter = counter + 1
    return wrk.format("POST", "/token", nil, '{"task_id":"t' .. (counter % 1000) .. '"}')
end
response = function(status, headers, body)
    local t = body:match('"token"%s*:%s*"([^"]+)"')
    if status == 200 and t and body:match('"vault_addr"') then
        table.insert(pending, t)
    end
end
LUA
wrk -t2 -c64 -d"${seconds}s" --latency -s "$work/token_unwrap.lua" "$url" >"$work/wrk.out"
read -r rps p99 errors < <(wrk_summary "$work/wrk.out")
stats=$(curl -sf "$url/status" | python3 -c 'import json,sys; s=json.load(sys.stdin)["stats"]; print(s["successful"], s["denied"], s["failed"])')
echo "| requests/s (/token and unwrap together) | token+unwrap pairs/s | p99 ms (both kinds) | non-2xx | /status successful, denied, failed |"
echo "|---|---|---|---|---|"
printf '| %s | %s | %s | %s | %s |\n' "$rps" "$((rps / 2))" "$p99" "$errors" "$stats"
