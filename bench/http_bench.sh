#!/usr/bin/env bash
# HTTP benchmark: gatekeeper-server vs nginx serving the same JSON on loopback, in the same run.
# wrk with 2 threads and 64 keep-alive connections against GET /v1/sys/health and /v1/sys/seal-status.
# Usage: bench/http_bench.sh [path/to/gatekeeper-server] [seconds]
set -euo pipefail
server=${1:-build/release/app/gatekeeper-server}
seconds=${2:-10}
for tool in wrk nginx curl; do
    command -v "$tool" >/dev/null || { echo "missing $tool (bash scripts/install-deps.sh)"; exit 1; }
done

work=$(mktemp -d)
cleanup() {
    [ -n "${gk_pid:-}" ] && kill "$gk_pid" 2>/dev/null || true
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

"$server" --dev --listen 127.0.0.1:0 >"$work/gk.out" 2>&1 &
gk_pid=$!
for _ in $(seq 50); do
    grep -q "listening on" "$work/gk.out" && break
    sleep 0.1
done
gk_url=$(grep -o 'http://[0-9.:]*' "$work/gk.out" | head -1)

# nginx serves the very bytes gatekeeper answers, from memory files, with 2 workers (one per core).
mkdir -p "$work/www/v1/sys"
chmod 755 "$work" # nginx workers run as www-data when started by root
curl -s "$gk_url/v1/sys/health" >"$work/www/v1/sys/health"
curl -s "$gk_url/v1/sys/seal-status" >"$work/www/v1/sys/seal-status"
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
mkdir -p "$work/tmp"
nginx -c "$work/nginx.conf"
sleep 0.3

run() { # url -> "req/s p99_ms"
    wrk -t2 -c64 -d"${seconds}s" --latency "$1" >"$work/wrk.out"
    local rps p99
    rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
    p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub("us","",v); v/=1000} else if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /s$/) {sub("s","",v); v*=1000}; print v}' "$work/wrk.out")
    echo "$rps $p99"
}

printf '| route | gatekeeper req/s | gatekeeper p99 ms | nginx req/s | nginx p99 ms | ratio |\n|---|---|---|---|---|---|\n'
for route in /v1/sys/health /v1/sys/seal-status; do
    read -r g_rps g_p99 < <(run "$gk_url$route")
    read -r n_rps n_p99 < <(run "http://127.0.0.1:$nginx_port$route")
    ratio=$(awk -v a="$g_rps" -v b="$n_rps" 'BEGIN {printf "%.2f", a / b}')
    printf '| %s | %.0f | %s | %.0f | %s | %s× |\n' "$route" "$g_rps" "$g_p99" "$n_rps" "$n_p99" "$ratio"
done
