#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, and runs every test: the unit, API, model, GUI and
# compatibility suites, then the unit and API suites again under AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
jobs=$(nproc)

cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGK_WERROR=ON
cmake --build build/test -j "$jobs"
(cd build/test && ctest --output-on-failure -j "$jobs" --timeout 600 --repeat until-pass:2)

cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DGK_WERROR=ON -DGK_SANITIZE=ON -DBUILD_CONSOLE=OFF
cmake --build build/asan -j "$jobs"
(cd build/asan && ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -j "$jobs" --repeat until-pass:2 -L 'unit|api' --timeout 900)
