#!/usr/bin/env bash
# Copies the header-only C++ dependencies (nlohmann-json, CLI11: headers and
# their CMake package files) from this Debian machine into .deps/, a prefix
# that can travel with the working tree to a machine where nothing can be
# installed (the device tool's GPU image: `carry: [".deps"]`). There:
#   cmake -S . -B build-gpu -DCMAKE_PREFIX_PATH="$TORCH_PREFIX;$PWD/.deps" \
#         -DMELCLASS_AUDIO_DECODE=OFF -DMELCLASS_BUILD_TESTS=OFF ...
# (docs/benchmarks.md, "On a GPU machine"). Nothing is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.deps
need() {
  [[ -e "$1" ]] || { echo "gpu_deps: $1 missing (run scripts/install_deps.sh first)" >&2; exit 1; }
}
need /usr/include/nlohmann/json.hpp
need /usr/include/CLI/CLI.hpp
need /usr/share/cmake/nlohmann_json/nlohmann_jsonConfig.cmake
need /usr/share/cmake/CLI11/CLI11Config.cmake
rm -rf "$out"
mkdir -p "$out/include" "$out/share/cmake"
cp -r /usr/include/nlohmann /usr/include/CLI "$out/include/"
cp -r /usr/share/cmake/nlohmann_json /usr/share/cmake/CLI11 "$out/share/cmake/"
echo "gpu_deps: $(du -sh "$out" | cut -f1) in $out (nlohmann-json, CLI11)"
