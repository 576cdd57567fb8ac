#!/usr/bin/env bash
# Installs the Debian 12 packages melclass needs to build, test and benchmark.
# Idempotent: does nothing when everything is already installed. Run as root.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libtorch-dev            # LibTorch 1.13.1 (CPU): tensors, autograd, nn
  libopenblas0-openmp     # optimised BLAS behind libblas.so.3 for LibTorch and numpy (Debian's
                          # default there is the unoptimised reference BLAS); OpenMP threads
  nlohmann-json3-dev      # JSON
  libcli11-dev            # command-line parsing
  libgtest-dev            # tests
  clang-format            # the `format` test (scripts/format.sh --check)
  libbenchmark-dev        # micro-benchmarks (bench/micro_bench.cpp, optional target)
  libsndfile1-dev libsoxr-dev   # audio decoding and resampling (extract)
  sox libsox-fmt-mp3      # audio test fixtures (tests/fixtures/audio/make_fixtures.py), MP3 tools
  python3-numpy python3-torch   # test fixtures and the Python reference benchmarks
  python3-sklearn         # reference recipes (bench/reference/classic_cv.py, tests/fixtures/classic)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install_deps: installing ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
