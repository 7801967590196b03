#!/usr/bin/env bash
# Work per request that the code fixes, whatever the machine's speed: new futures
# (QFutureInterfaceBase::QFutureInterfaceBase(State)), posted events (QCoreApplication::postEvent) and glibc's
# malloc calls (0 for a build linked with jemalloc, whose allocations these probes do not see), per token
# operation. User-space probes count them with `perf stat` over a 2-second wrk run at 64 connections; the counts are
# divided by the requests wrk made. The probes slow the server down: the req/s of these runs mean nothing.
# Needs perf (linux-perf) and root; the probes are added once and stay until `perf probe -d 'probe_*'`.
# Usage: bench/token_events.sh path/to/gatekeeper-server lookup|create|unwrap
set -euo pipefail
source "$(dirname "$0")/lib.sh"
server=$1
operation=$2
bench_prologue wrk curl python3 perf
qtcore=$(ldconfig -p | awk '/libQt6Core.so.6 / {print $NF; exit}')
libc=$(ldconfig -p | awk '/libc.so.6 / {print $NF; exit}')
# perf names functions demangled, which does not tell the constructor overloads apart: the probes go on addresses.
address() { nm -D "$1" | awk -v s="$2" '{sub(/@.*/, "", $3)} $3 == s {print "0x" $1; exit}'; }
probe() { # probe NAME LIBRARY ADDRESS
    perf probe -l 2>/dev/null | grep -q ":$1 " || perf probe -q -x "$2" --add "$1=$3"
}
probe futures "$qtcore" "$(address "$qtcore" _ZN20QFutureInterfaceBaseC2ENS_5StateE)"
probe posted "$qtcore" "$(address "$qtcore" _ZN16QCoreApplication9postEventEP7QObjectP6QEventi)"
probe mallocs "$libc" "$(address "$libc" malloc)"


start_gatekeeper "$server" "$work"
prepare_token_operation "$operation"

perf stat -x, -e probe_libQt6Core:futures,probe_libQt6Core:posted,probe_libc:mallocs -o "$work/stat.txt" \
    -p "$gk_pid" -- sleep 3 &
stat_pid=$!
sleep 0.3
wrk -t2 -c64 -d2s -s "$work/$script" "$url$path" >"$work/wrk.out"
wait "$stat_pid"
requests=$(awk '/requests in/ {print $1}' "$work/wrk.out")
awk -F, -v n="$requests" '/probe_/ {sub(".*:", "", $3); printf "%s %.1f  ", $3, $1 / n}
                          END {print "per request, over " n " requests"}' "$work/stat.txt"
