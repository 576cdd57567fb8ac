#!/usr/bin/env bash
# The GPU benchmark in one command, for a machine with a CUDA PyTorch and
# nothing else installable (the device tool's image). Builds melclass against
# that PyTorch's LibTorch (header-only deps from .deps/: scripts/gpu_deps.sh,
# carried with the working tree; no audio decoding, no tests), prints the GPU,
# then runs the training and prediction comparisons on cuda on both sides.
#   bench/gpu.sh [--quick] [more bench/run.sh options]
# Results: bench/results/ and, when $OUT is set, copies there.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${MELCLASS_BENCH_PYTHON:-$(command -v python3)}
torch_prefix=$("$py" -c 'import torch; print(torch.utils.cmake_prefix_path)')
"$py" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda,
      torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU")'
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
# A CUDA LibTorch's CMake config looks for the CUDA toolkit (Caffe2's
# public/cuda.cmake) and stops when it is missing: say up front what is there.
echo "nvcc: $(command -v nvcc || echo none); CUDA_HOME=${CUDA_HOME:-unset}; /usr/local/cuda: $([[ -d /usr/local/cuda ]] && echo yes || echo no)"
[[ -d .deps ]] || echo "gpu.sh: no .deps/ (scripts/gpu_deps.sh); relying on system headers" >&2
log=${TMPDIR:-/tmp}/melclass-gpu-configure.log
common=(-DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$torch_prefix;$PWD/.deps"
        -DMELCLASS_AUDIO_DECODE=OFF -DMELCLASS_BUILD_TESTS=OFF -DMELCLASS_BUILD_BENCH=ON)
if ! cmake -S . -B build-gpu "${common[@]}" >"$log" 2>&1; then
  # Typically Caffe2's "uses CUDA but I cannot find the CUDA libraries" (no CUDA
  # toolkit on the image): take the package's headers and libraries directly.
  grep -m1 -A2 'CMake Error' "$log" >&2 || tail -n 5 "$log" >&2
  echo "gpu.sh: find_package(Torch) failed; retrying with MELCLASS_TORCH_DIR" >&2
  torch_dir=$("$py" -c 'import os, torch; print(os.path.dirname(torch.__file__))')
  abi=$("$py" -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
  rm -rf build-gpu
  cmake -S . -B build-gpu "${common[@]}" -DMELCLASS_TORCH_DIR="$torch_dir" \
    -DMELCLASS_TORCH_CXX11_ABI="$abi" >"$log" 2>&1 ||
    { tail -n 20 "$log" >&2; exit 1; }
fi
grep 'melclass:' "$log" || true
cmake --build build-gpu -j"$(nproc)" >/dev/null
out_json=bench/results/gpu-$(date +%Y%m%d-%H%M%S).json
MELCLASS_BENCH_PYTHON="$py" bench/run.sh --build build-gpu --device cuda --out "$out_json" \
  --only train_baseline,train_default,train_default_bf16,train_tcnet,predict_full,predict_full_bf16,predict_default "$@"
if [[ -n "${OUT:-}" ]]; then cp "$out_json" "${out_json%.json}".log "$OUT"/ 2>/dev/null || true; fi
