#!/usr/bin/env bash
# Console benchmarks (builds nothing; needs a build configured with -DBUILD_CONSOLE=ON):
#   1. process start to the main window's first paint, the embedded server starting on a fresh SQLite file in a
#      temporary XDG data folder: `gatekeeper` with GK_EXIT_AFTER_FIRST_PAINT=1 prints the wall clock of its first
#      paint; the start is the shell's clock ($EPOCHREALTIME) just before it starts the process. Median, min and max
#      of RUNS runs, on a virtual X display (xvfb-run, 1280x800x24) and with QT_QPA_PLATFORM=offscreen;
#   2. bench_console: 100,000 requests in the requests table, each filter keystroke to the table's repaint, the
#      model's one-second tick to the repaint, and the resident memory they take; on both platforms too.
# Usage: bench/console_bench.sh [BUILD-DIR] [RUNS]
set -euo pipefail
build=${1:-build}
runs=${2:-15}
console=$build/app/gatekeeper
bench=$build/bench/bench_console

# paint_runs PLATFORM-LABEL: RUNS first paints on the current display or platform, then the summary line.
paint_runs() {
    local label=$1 times=() home t0 line us
    for _ in $(seq "$runs"); do
        home=$(mktemp -d)
        t0=$EPOCHREALTIME
        line=$(env -u DBUS_SESSION_BUS_ADDRESS HOME="$home" XDG_CONFIG_HOME="$home/config" \
            XDG_DATA_HOME="$home/data" XDG_CACHE_HOME="$home/cache" GK_EXIT_AFTER_FIRST_PAINT=1 \
            "$console" 2>/dev/null | grep '^first paint:')
        rm -rf "$home"
        us=$(sed 's/^first paint: \([0-9]*\) us.*/\1/' <<<"$line")
        times+=("$(python3 -c "print(round(($us - ${t0/./}) / 1000, 1))")")
    done
    python3 - "$label" "${times[@]}" <<'PY'
import statistics, sys
label, values = sys.argv[1], [float(v) for v in sys.argv[2:]]
print(f"| {label} | {len(values)} | {statistics.median(values):.1f} | {min(values):.1f} | {max(values):.1f} |")
PY
}

if [ "${1:-}" = --paint-runs ]; then # re-entered under xvfb-run
    console=$3 runs=$4
    paint_runs "$2"
    exit 0
fi

for tool in xvfb-run python3; do
    command -v "$tool" >/dev/null || { echo "missing $tool (bash scripts/install-deps.sh)"; exit 1; }
done
[ -x "$console" ] && [ -x "$bench" ] || { echo "no $console or $bench: build with -DBUILD_CONSOLE=ON"; exit 1; }

echo "## Process start to the first paint of the main window, embedded server ($runs runs)"
echo "| platform | runs | median ms | min ms | max ms |"
echo "|---|---|---|---|---|"
xvfb-run -a -s "-screen 0 1280x800x24" bash "$0" --paint-runs "xcb (Xvfb)" "$console" "$runs"
QT_QPA_PLATFORM=offscreen paint_runs offscreen

echo
echo "## 100,000 requests: filter keystroke to repaint, memory"
echo "### xcb (Xvfb)"
xvfb-run -a -s "-screen 0 1280x800x24" "$bench" --rows 100000 --runs 5
echo "### offscreen"
QT_QPA_PLATFORM=offscreen "$bench" --rows 100000 --runs 5
