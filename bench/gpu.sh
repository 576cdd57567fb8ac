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
[[ -d .deps ]] || echo "gpu.sh: no .deps/ (scripts/gpu_deps.sh); relying on system headers" >&2
cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$torch_prefix;$PWD/.deps" \
  -DMELCLASS_AUDIO_DECODE=OFF -DMELCLASS_BUILD_TESTS=OFF -DMELCLASS_BUILD_BENCH=ON >/dev/null
cmake --build build-gpu -j"$(nproc)" >/dev/null
out_json=bench/results/gpu-$(date +%Y%m%d-%H%M%S).json
MELCLASS_BENCH_PYTHON="$py" bench/run.sh --build build-gpu --device cuda --out "$out_json" \
  --only train_baseline,train_default,train_default_bf16,train_tcnet,predict_full,predict_full_bf16,predict_default "$@"
if [[ -n "${OUT:-}" ]]; then cp "$out_json" "${out_json%.json}".log "$OUT"/ 2>/dev/null || true; fi
