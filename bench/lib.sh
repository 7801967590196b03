# Shared by the benchmark scripts (sourced, not run).

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
