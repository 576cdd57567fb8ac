// melclass_bench_micro: Google Benchmark micro-benchmarks of the per-example
// hot path of training (load -> check -> compress -> crop) and of the mel
// frontend, on one synthetic 30 s track (938 frames), one intra-op thread
// (what a loader worker does). Built when libbenchmark-dev is installed.
//
//   build/bench/melclass_bench_micro [--benchmark_filter=REGEX]

#include <unistd.h>

#include <filesystem>
#include <random>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>

#include "melclass/audio/mel.h"
#include "melclass/data/spectrogram.h"
#include "melclass/io/npy.h"

namespace fs = std::filesystem;
using namespace melclass;

namespace {

constexpr int64_t kFrames = 938;  // 30 s at hop 512, 16 kHz
constexpr int64_t kCrop = 256;    // tcnet's train_frames

at::Tensor example_mel() {
  at::manual_seed(0);
  return at::rand({128, kFrames}) * at::rand({128, 1});
}

const fs::path& example_file() {
  static const fs::path path = [] {
    fs::path p =
        fs::temp_directory_path() / ("melclass_bench_micro_" + std::to_string(::getpid()) + ".npy");
    io::write_npy(p, example_mel().unsqueeze(0));
    return p;
  }();
  return path;
}

void BM_ReadNpy(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(io::read_npy(example_file()));
  state.SetBytesProcessed(state.iterations() * 128 * kFrames * 4);
}
BENCHMARK(BM_ReadNpy);

void BM_LoadSpectrogram(benchmark::State& state) {  // read_npy + shape/NaN/sign checks
  for (auto _ : state) benchmark::DoNotOptimize(data::load_spectrogram(example_file()));
  state.SetBytesProcessed(state.iterations() * 128 * kFrames * 4);
}
BENCHMARK(BM_LoadSpectrogram);

// prepare_input's order today: compress the whole track, then crop.
void BM_CompressThenCrop(benchmark::State& state) {
  const at::Tensor x = example_mel();
  std::mt19937_64 rng(0);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        data::crop_or_pad(data::compress(x, "log10_1p10"), kCrop, data::CropMode::kRandom, rng));
  }
}
BENCHMARK(BM_CompressThenCrop);

// Same result (the compression is element-wise): crop first.
void BM_CropThenCompress(benchmark::State& state) {
  const at::Tensor x = example_mel();
  std::mt19937_64 rng(0);
  for (auto _ : state) {
    benchmark::DoNotOptimize(data::compress(
        data::crop_or_pad(x, kCrop, data::CropMode::kRandom, rng).contiguous(), "log10_1p10"));
  }
}
BENCHMARK(BM_CropThenCompress);

void BM_MelFrontend30s(benchmark::State& state) {
  const audio::MelFrontend frontend{audio::MelOptions()};
  at::manual_seed(0);
  const at::Tensor wave = at::rand({30 * 16000}) * 2 - 1;
  for (auto _ : state) benchmark::DoNotOptimize(frontend.compute(wave));
  state.counters["audio_s_per_s"] =
      benchmark::Counter(30.0 * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MelFrontend30s);

}  // namespace

int main(int argc, char** argv) {
  at::set_num_threads(1);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::error_code ec;
  fs::remove(example_file(), ec);
  return 0;
}
