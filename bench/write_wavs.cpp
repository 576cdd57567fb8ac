// melclass_bench_wavs: synthetic music as WAV files, for the mel_extract benchmark.
//
//   melclass_bench_wavs OUT_DIR [--count N] [--seconds S] [--seed S]
//
// Renders N tracks of S seconds with melclass's synthetic-music renderer (the
// audio `melclass synth` passes through the mel frontend, data/synth_render.h;
// styles cycle through the four classes) and writes them as 16 kHz mono 16-bit
// PCM WAV files OUT_DIR/track_<i>.wav. Deterministic for a seed.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"
#include "melclass/data/synth_plan.h"
#include "melclass/data/synth_render.h"

namespace fs = std::filesystem;
namespace synth = melclass::data::synth;

namespace {

struct Args {
  fs::path out;
  int count = 16;
  double seconds = 30;
  uint64_t seed = 0;
};

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string s = argv[i];
    const bool has_value = i + 1 < argc;
    if (s == "--count" && has_value) {
      a.count = std::stoi(argv[++i]);
    } else if (s == "--seconds" && has_value) {
      a.seconds = std::stod(argv[++i]);
    } else if (s == "--seed" && has_value) {
      a.seed = std::stoull(argv[++i]);
    } else if (!s.empty() && s[0] != '-' && a.out.empty()) {
      a.out = s;
    } else {
      throw melclass::Error(
          "bench", "", "usage: melclass_bench_wavs OUT_DIR [--count N] [--seconds S] [--seed S]");
    }
  }
  melclass::check(!a.out.empty() && a.count > 0 && a.seconds > 0, "bench", "",
                  "need OUT_DIR, --count > 0 and --seconds > 0");
  return a;
}

template <typename T>
void put(std::ostream& out, T value) {  // little-endian (x86-64, ARM64 hosts)
  out.write(reinterpret_cast<const char*>(&value), sizeof value);
}

void write_wav(const fs::path& path, const std::vector<float>& wave) {
  const uint32_t data_bytes = static_cast<uint32_t>(wave.size() * 2);
  melclass::write_file_atomically(path, [&](std::ostream& out) {
    out.write("RIFF", 4);
    put<uint32_t>(out, 36 + data_bytes);
    out.write("WAVEfmt ", 8);
    put<uint32_t>(out, 16);  // fmt chunk size
    put<uint16_t>(out, 1);   // PCM
    put<uint16_t>(out, 1);   // mono
    put<uint32_t>(out, synth::kSampleRate);
    put<uint32_t>(out, synth::kSampleRate * 2);  // bytes per second
    put<uint16_t>(out, 2);                       // block align
    put<uint16_t>(out, 16);                      // bits per sample
    out.write("data", 4);
    put<uint32_t>(out, data_bytes);
    std::vector<int16_t> pcm(wave.size());
    for (size_t i = 0; i < wave.size(); ++i)
      pcm[i] = static_cast<int16_t>(std::lround(std::clamp(wave[i], -1.0f, 1.0f) * 32767.0f));
    out.write(reinterpret_cast<const char*>(pcm.data()), static_cast<std::streamsize>(data_bytes));
  });
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Args a = parse_args(argc, argv);
    fs::create_directories(a.out);
    for (int i = 0; i < a.count; ++i) {
      synth::Rng rng(a.seed, static_cast<uint64_t>(i) + 1);
      const synth::TrackPlan plan = synth::draw_plan(i % synth::kStyles, a.seconds, rng);
      char name[32];
      std::snprintf(name, sizeof name, "track_%04d.wav", i);
      write_wav(a.out / name, synth::render_track(plan, rng));
    }
    std::printf("wrote %d WAV files of %.1f s (16 kHz mono 16-bit) to %s\n", a.count, a.seconds,
                a.out.string().c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "melclass_bench_wavs: error: %s\n",
                 melclass::describe_exception(e).c_str());
    return 1;
  }
}
