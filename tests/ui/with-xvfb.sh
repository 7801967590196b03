#!/bin/sh
# Runs a widget test on a virtual X display of its own (xvfb-run, a 1280x800 24-bit screen), so that it renders as on
# a desktop rather than through the offscreen platform. Without xvfb-run it says so and exits 77, which ctest reports
# as skipped (SKIP_RETURN_CODE).
#   with-xvfb.sh TEST-BINARY [ARGS...]
set -eu

if ! command -v xvfb-run >/dev/null 2>&1; then
    echo "SKIP: xvfb-run is not installed (apt-get install xvfb xauth)"
    exit 77
fi
unset QT_QPA_PLATFORM WAYLAND_DISPLAY
exec xvfb-run -a -s "-screen 0 1280x800x24" "$@"
