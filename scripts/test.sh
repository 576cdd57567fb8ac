#!/usr/bin/env bash
# Installs packages if needed, builds, and runs the test suite (CPU only).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
bash scripts/build.sh
cd build
ctest --output-on-failure -j"$(nproc)"
