#!/usr/bin/env bash
# Quickstart: install packages, build, and run the demo on a synthetic dataset.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
bash scripts/build.sh
./build/melclass demo --out melclass-demo
