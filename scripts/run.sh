#!/usr/bin/env bash
# Installs what is missing, builds, and starts Gatekeeper: the console with its embedded server, or, on a
# machine with no display, the headless server in dev mode.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF
cmake --build build/release

if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
    exec build/release/app/gatekeeper "$@"
fi
echo "No display found: starting the headless server in dev mode (the console needs a display)."
exec build/release/app/gatekeeper-server --dev "$@"
