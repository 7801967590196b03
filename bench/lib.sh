# Shared by the benchmark scripts (sourced, not run).

# bench_prologue TOOL...: fails with a hint when a tool is missing, makes the work directory $work and removes it
# (with the server and nginx) on exit. A server that crashes under load leaves a core dump (where the system's
# core_pattern puts it) for gdb.
bench_prologue() {
    ulimit -c unlimited 2>/dev/null || true
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "missing $tool (bash scripts/install-deps.sh)"; exit 1; }
    done
    work=$(mktemp -d)
    trap 'bench_cleanup "$work"' EXIT
}

# launch_gatekeeper SERVER WORK ARGS...: starts SERVER ARGS... --listen 127.0.0.1:0 and waits until it listens.
# Sets $gk_pid and $url.
launch_gatekeeper() {
    local server=$1 work=$2
    shift 2
    "$server" "$@" --listen 127.0.0.1:0 >"$work/gk.out" 2>&1 &
    gk_pid=$!
    for _ in $(seq 100); do
        grep -q "listening on" "$work/gk.out" && break
        sleep 0.1
    done
    url=$(grep -o 'http://[0-9.:]*' "$work/gk.out" | head -1)
}

# start_nginx WORK: nginx with 2 workers (one per core) serving WORK/www on a random loopback port, which it puts in
# $nginx_port. The caller kills "$(cat WORK/nginx.pid)" when done.
start_nginx() {
    local work=$1
    chmod 755 "$work" # nginx workers run as www-data when started by root
    mkdir -p "$work/tmp"
    nginx_port=$(( (RANDOM % 20000) + 30000 ))
    cat >"$work/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000;
    default_type application/json;
    client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
    uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
    server { listen 127.0.0.1:$nginx_port; root $work/www; }
}
CONF
    nginx -c "$work/nginx.conf"
    sleep 0.3
}

# wrk_summary FILE: "req/s p99_ms non2xx" from the output of wrk --latency.
wrk_summary() {
    awk '/Requests\/sec/ {rps = $2}
         /Non-2xx/ {errors = $5}
         $1 == "99%" {v = $2
                      if (v ~ /us$/) {sub("us", "", v); v /= 1000}
                      else if (v ~ /ms$/) {sub("ms", "", v)}
                      else if (v ~ /s$/) {sub("s", "", v); v *= 1000}
                      p99 = v}
         END {printf "%.0f %.2f %d\n", rps, p99, errors}' "$1"
}

# start_gatekeeper SERVER WORK: gatekeeper-server on durable SQLite storage in WORK, initialised with one key share
# and unsealed. Sets $gk_pid and $url and exports GK_TOKEN (the root token). The caller kills $gk_pid when done.
start_gatekeeper() {
    local server=$1 work=$2
    launch_gatekeeper "$server" "$work" --storage "sqlite:$work/gk.db"
    local init key
    init=$(curl -sf -X PUT -d '{"secret_shares":1,"secret_threshold":1}' "$url/v1/sys/init")
    key=$(echo "$init" | python3 -c 'import json,sys; print(json.load(sys.stdin)["keys"][0])')
    GK_TOKEN=$(echo "$init" | python3 -c 'import json,sys; print(json.load(sys.stdin)["root_token"])')
    export GK_TOKEN
    curl -sf -X PUT -d "{\"key\":\"$key\"}" "$url/v1/sys/unseal" >/dev/null
}

# bench_cleanup WORK: stops the server and nginx a benchmark started and removes WORK.
bench_cleanup() {
    local work=$1
    [ -n "${gk_pid:-}" ] && kill "$gk_pid" 2>/dev/null || true
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    rm -rf "$work"
}

# write_wrk_scripts WORK: the wrk scripts of the token authority benchmarks, in WORK (run wrk with WORK exported as
# $WORK): common.lua, token_create.lua, lookup_self.lua, kv_write.lua, wrap.lua and unwrap.lua. Each thread numbers
# its requests so that writes go to distinct keys; wrap.lua writes the wrapping tokens it gets to a file per thread,
# and unwrap.lua unwraps each of them once.
write_wrk_scripts() {
cat >"$1/common.lua" <<'LUA'
local counter = 0
local threads = 0
function setup(thread)
    threads = threads + 1
    thread:set("id", threads)
end
function init(args)
    wrk.headers["X-Vault-Token"] = os.getenv("GK_TOKEN")
    wrk.headers["Content-Type"] = "application/json"
end
-- "id" is the thread number that setup() gave the thread's Lua state.
function next_id()
    counter = counter + 1
    return id .. "-" .. counter
end
LUA
cat >"$1/token_create.lua" <<'LUA'
dofile(os.getenv("WORK") .. "/common.lua")
wrk.method = "POST"
wrk.body = '{"ttl":"1h","policies":["default"]}'
LUA
cat >"$1/lookup_self.lua" <<'LUA'
dofile(os.getenv("WORK") .. "/common.lua")
LUA
cat >"$1/kv_write.lua" <<'LUA'
dofile(os.getenv("WORK") .. "/common.lua")
request = function()
    return wrk.format("POST", "/v1/secret/load/" .. next_id(), nil, '{"value":"bench-secret-value"}')
end
LUA
# Wrapping: one run wraps and writes the wrapping tokens to a file per thread, the next unwraps each once.
cat >"$1/wrap.lua" <<'LUA'
dofile(os.getenv("WORK") .. "/common.lua")
wrk.method = "POST"
wrk.body = '{"value":"bench-secret-value"}'
wrk.headers["X-Vault-Wrap-TTL"] = "1h"
local out = nil
response = function(status, headers, body)
    if out == nil then out = io.open(os.getenv("WORK") .. "/wrapped-" .. id, "a") end
    local token = body:match('"token"%s*:%s*"([^"]+)"')
    if status == 200 and token then out:write(token, "\n"); out:flush() end
end
LUA
cat >"$1/unwrap.lua" <<'LUA'
dofile(os.getenv("WORK") .. "/common.lua")
local tokens = nil
local n = 0
request = function()
    if tokens == nil then
        tokens = {}
        for line in io.lines(os.getenv("WORK") .. "/wrapped-" .. id) do tokens[#tokens + 1] = line end
    end
    n = n + 1
    return wrk.format("POST", "/v1/sys/wrapping/unwrap", nil, '{"token":"' .. (tokens[n] or "exhausted") .. '"}')
end
LUA
}

# prepare_token_operation lookup|create|unwrap: for a server started by start_gatekeeper in $work, writes the wrk
# scripts and sets $path and $script for the operation; for unwrap, a 10-second wrap run first makes the tokens to
# spend.
prepare_token_operation() {
    export WORK=$work
    write_wrk_scripts "$work"
    case $1 in
    lookup) path=/v1/auth/token/lookup-self script=lookup_self.lua ;;
    create) path=/v1/auth/token/create script=token_create.lua ;;
    unwrap)
        path=/v1/sys/wrapping/unwrap script=unwrap.lua
        wrk -t2 -c64 -d10s -s "$work/wrap.lua" "$url/v1/sys/wrapping/wrap" >/dev/null
        ;;
    *)
        echo "unknown operation $1: lookup, create or unwrap" >&2
        exit 2
        ;;
    esac
}
