#!/bin/sh
# Runs a test binary against a private Secret Service: a session bus of its own (dbus-run-session) and a
# gnome-keyring-daemon whose login keyring lives in a temporary HOME, unlocked with a throwaway password. Nothing of
# the user's own keychain is touched. Without dbus-run-session or gnome-keyring-daemon the test runs with
# GK_NO_SECRET_SERVICE=1 set, and skips.
#   with-secret-service.sh TEST-BINARY [ARGS...]
set -eu

if [ "${GK_INSIDE_SESSION_BUS:-}" != 1 ]; then
    if ! command -v dbus-run-session >/dev/null 2>&1 || ! command -v gnome-keyring-daemon >/dev/null 2>&1; then
        GK_NO_SECRET_SERVICE=1 exec "$@"
    fi
    GK_INSIDE_SESSION_BUS=1 exec dbus-run-session -- sh "$0" "$@"
fi

# The keyring daemon leaves when the session bus does, at the end of dbus-run-session.
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HOME="$home" XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config" XDG_CACHE_HOME="$home/cache"
export XDG_RUNTIME_DIR="$home/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
unset DISPLAY WAYLAND_DISPLAY
eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)"
"$@"
