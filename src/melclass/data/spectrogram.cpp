#include "melclass/data/spectrogram.h"

#include <cmath>

#include <ATen/ATen.h>

#include "melclass/audio/decode.h"
#include "melclass/audio/mel_stream.h"
#include "melclass/core/error.h"
#include "melclass/io/npy.h"

namespace melclass::data {

namespace {
// Validates a [1, F, T] or [F, T] shape; returns T.
int64_t check_shape(const std::vector<int64_t>& shape, int64_t n_mels, const std::string& file) {
  const std::string want =
      "[1, " + std::to_string(n_mels) + ", T] or [" + std::to_string(n_mels) + ", T]";
  std::string got = "[";
  for (size_t i = 0; i < shape.size(); ++i) got += (i ? ", " : "") + std::to_string(shape[i]);
  got += "]";
  const bool rank_ok = shape.size() == 2 || (shape.size() == 3 && shape[0] == 1);
  check(rank_ok, "spectrogram", file, "expected shape " + want + ", got " + got);
  check(shape[shape.size() - 2] == n_mels, "spectrogram", file,
        "expected " + std::to_string(n_mels) + " mel bands, got shape " + got);
  check(shape.back() > 0, "spectrogram", file, "spectrogram has no frames (T = 0)");
  return shape.back();
}

audio::MelOptions audio_mel_options(int64_t n_mels) {
  audio::MelOptions mel;
  mel.n_mels = n_mels;
  return mel;
}

// Every value must be a finite power in [0, kMaxMelValue]. One branch-free pass
// over the data (NaN fails both comparisons); the reason is looked up only when
// a value is out of range.
void check_values(const at::Tensor& x, const std::string& file) {
  const at::Tensor c = x.contiguous();
  const float* v = c.data_ptr<float>();
  const int64_t n = c.numel();
  const auto hi = static_cast<float>(kMaxMelValue);
  int bad = 0;  // bitwise, not &&: a loop without branches, which the compiler vectorises
  for (int64_t i = 0; i < n; ++i) bad |= static_cast<int>(!(v[i] >= 0.0f)) | !(v[i] <= hi);
  if (bad == 0) return;
  const auto [lo_t, hi_t] = at::aminmax(c);
  const double min = lo_t.item<double>(), max = hi_t.item<double>();
  check(std::isfinite(min) && std::isfinite(max), "spectrogram", file,
        "contains NaN or Inf values");
  check(min >= 0.0, "spectrogram", file,
        "contains negative values (expected a power mel spectrogram)");
  // Power mels of audio in [-1, 1] stay below ~1e6; beyond 1e30 the log
  // compression's 10 x overflows float.
  check(max <= kMaxMelValue, "spectrogram", file,
        "contains values above 1e30 (expected a power mel spectrogram)");
}
}  // namespace

int64_t check_spectrogram_header(const std::filesystem::path& path, int64_t n_mels) {
  if (audio::is_audio_path(path)) {
    const audio::MelOptions mel = audio_mel_options(n_mels);
    audio::validate(mel);
    const audio::AudioInfo info = audio::probe_audio(path);
    return 1 + audio::resampled_length(info.frames, info.sample_rate, mel.sample_rate) / mel.hop;
  }
  return check_shape(io::read_npy_header(path).shape, n_mels, path.string());
}

at::Tensor load_spectrogram(const std::filesystem::path& path, int64_t n_mels) {
  const std::string file = path.string();
  at::Tensor x;
  if (audio::is_audio_path(path)) {
    x = audio::audio_file_mel(path, audio::MelFrontend(audio_mel_options(n_mels)));
  } else {
    x = io::read_npy(path, [&](const io::NpyHeader& h) { check_shape(h.shape, n_mels, file); });
  }
  if (x.dim() == 3) x = x.squeeze(0);
  check_values(x, file);
  return x;
}

void validate_compression(const std::string& kind) {
  check(kind == "log10_1p10" || kind == "db" || kind == "none", "frontend", "",
        "unknown compression '" + kind + "' (use log10_1p10, db or none)");
}

at::Tensor compress(const at::Tensor& mel, const std::string& kind) {
  if (kind == "log10_1p10") return at::log10(1.0 + 10.0 * mel);
  if (kind == "db") return 10.0 * at::log10(at::clamp_min(mel, 1e-10));
  validate_compression(kind);
  return mel;
}

at::Tensor crop_or_pad(const at::Tensor& x, int64_t length, CropMode mode, std::mt19937_64& rng) {
  const int64_t frames = x.size(-1);
  if (frames < length) return at::constant_pad_nd(x, {0, length - frames}, 0.0);
  int64_t offset = 0;
  if (mode == CropMode::kRandom && frames > length) {
    offset = std::uniform_int_distribution<int64_t>(0, frames - length)(rng);
  } else if (mode == CropMode::kCenter) {
    offset = (frames - length) / 2;
  }
  return x.narrow(-1, offset, length);
}

}  // namespace melclass::data
