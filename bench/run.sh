#!/usr/bin/env bash
# melclass vs the PyTorch-Python stack, side by side on the same generated data.
# Prints the details and one line per comparison, `ratio <name> <melclass / python>`,
# and writes a JSON summary (bench/results/<timestamp>.json, log beside it).
# See docs/benchmarks.md.
#
#   bench/run.sh [--quick] [--build DIR] [--threads N] [--workers N] [--out FILE.json]
#                [--work DIR] [--keep] [--only name,name] [--rebuild] [--device cpu|cuda]
#
#   --quick      smaller data and runs (under 10 minutes on 2 idle cores)
#   --build DIR  build folder with melclass and bench/ programs (default: build);
#                built with scripts/build.sh (or cmake for another folder) when missing
#   --threads N  intra-op threads on both sides (default 2); --workers N: data-loading
#                workers on both sides (melclass loader threads, DataLoader processes)
#   --only       npy_load, train_baseline, train_default (the default model),
#                train_default_bf16 (the same, both sides under bf16 autocast), train_tcnet,
#                predict_full, predict_full_bf16 (both sides under bf16 autocast),
#                predict_default, mel_extract, scaling, allocator
#   --rebuild    bring the build up to date first even when the binaries exist
#   --device     cuda: train and predict on the GPU on both sides (a build against a CUDA
#                LibTorch, e.g. pip torch's; the Python is $MELCLASS_BENCH_PYTHON, default
#                /usr/bin/python3); reports GPU utilisation from nvidia-smi
set -euo pipefail
cd "$(dirname "$0")/.."

build=build
rebuild=0
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --rebuild) rebuild=1; shift ;;
    -h|--help) sed -n "2,20p" "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done

targets=(melclass melclass_bench_npy melclass_bench_wavs)
need_build() {
  [ "$rebuild" = 1 ] || [ ! -x "$build/melclass" ] || [ ! -x "$build/bench/melclass_bench_npy" ] ||
    [ ! -x "$build/bench/melclass_bench_wavs" ]
}
if need_build; then
  if [ ! -x "$build/melclass" ] && [ "$build" = build ]; then
    echo "bench: building melclass with scripts/build.sh" >&2
    bash scripts/build.sh -DMELCLASS_BUILD_BENCH=ON
  else
    echo "bench: building ${targets[*]} in $build" >&2
    if [ ! -f "$build/CMakeCache.txt" ]; then
      launcher=()
      if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
      cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" \
        -DMELCLASS_BUILD_BENCH=ON
    else
      cmake "$build" -DMELCLASS_BUILD_BENCH=ON >/dev/null
    fi
    cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"
  fi
fi

py=${MELCLASS_BENCH_PYTHON:-/usr/bin/python3}
if ! "$py" -c 'import numpy, torch' 2>/dev/null; then
  echo "bench: $py lacks numpy or torch (Debian python3-numpy python3-torch;" \
    "bash scripts/install_deps.sh)" >&2
  exit 1
fi
exec "$py" bench/harness/main.py --build "$(realpath "$build")" "${args[@]+"${args[@]}"}"
