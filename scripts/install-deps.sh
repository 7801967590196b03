#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build, run and test Gatekeeper. Run as root.
set -euo pipefail

packages=(
    # build
    build-essential cmake ninja-build pkg-config git
    qt6-base-dev qt6-httpserver-dev qt6-websockets-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
    qtkeychain-qt6-dev libqt6sql6-sqlite libqt6sql6-psql libqt6svg6
    libssl-dev libgfshare-dev libsqlite3-dev libjemalloc-dev
    # runtime of the console's keychain (dlopened by QtKeychain)
    libsecret-1-0
    # tests: the reference Vault client, a keychain and a display for GUI checks, openssl for test certificates
    python3 python3-hvac python3-requests openssl procps dbus gnome-keyring xvfb xauth
    # benchmarks
    wrk nginx-light
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
