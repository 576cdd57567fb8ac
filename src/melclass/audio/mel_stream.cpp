#include "melclass/audio/mel_stream.h"

#include <algorithm>

#include <ATen/ATen.h>

#include "melclass/audio/decode.h"
#include "melclass/core/error.h"

namespace melclass::audio {
namespace {
// Frames computed per torch::stft call once enough samples are pending: large
// enough to amortise the call, small enough to keep the buffer short.
constexpr int64_t kFramesPerBatch = 64;
}  // namespace

MelStream::MelStream(const MelFrontend& frontend)
    : frontend_(frontend), pending_(static_cast<size_t>(frontend.options().n_fft / 2), 0.0f) {}

void MelStream::push(const float* samples, int64_t count) {
  pushed_ += count;
  const int64_t dropped = std::min(skip_, count);
  skip_ -= dropped;
  pending_.insert(pending_.end(), samples + dropped, samples + count);
  const MelOptions& o = frontend_.options();
  if (static_cast<int64_t>(pending_.size()) >= o.n_fft + kFramesPerBatch * o.hop) flush_frames();
}

void MelStream::flush_frames() {
  const MelOptions& o = frontend_.options();
  const int64_t available = static_cast<int64_t>(pending_.size());
  if (available < o.n_fft) return;
  const int64_t frames = 1 + (available - o.n_fft) / o.hop;
  const int64_t used = o.n_fft + (frames - 1) * o.hop;
  const at::Tensor segment = at::from_blob(pending_.data(), {used}, at::kFloat);
  chunks_.push_back(frontend_.frames(segment));  // a new tensor: pending_ may change now
  const int64_t advance = frames * o.hop;
  const int64_t erase = std::min(advance, available);
  skip_ += advance - erase;
  pending_.erase(pending_.begin(), pending_.begin() + erase);
}

at::Tensor MelStream::finish() {
  const MelOptions& o = frontend_.options();
  const int64_t half = o.n_fft / 2;
  const std::vector<float> tail(static_cast<size_t>(half), 0.0f);
  push(tail.data(), half);
  pushed_ -= half;
  flush_frames();
  at::Tensor mel = chunks_.empty() ? at::zeros({o.n_mels, 0}, at::kFloat) : at::cat(chunks_, 1);
  chunks_.clear();
  return mel.unsqueeze(0);
}

at::Tensor audio_file_mel(const std::filesystem::path& path, const MelFrontend& frontend,
                          int64_t* samples) {
  DecodeOptions decode;
  decode.sample_rate = frontend.options().sample_rate;
  MelStream stream(frontend);
  decode_audio(path, decode,
               [&](const float* samples, int64_t count) { stream.push(samples, count); });
  if (samples != nullptr) *samples = stream.samples_pushed();
  check(stream.samples_pushed() > 0, "audio", path.string(), "no audio samples");
  at::Tensor mel = stream.finish();
  check(at::isfinite(mel).all().item<bool>(), "audio", path.string(),
        "the mel spectrogram has NaN/Inf values (NaN/Inf samples, or --power too large)");
  return mel;
}

}  // namespace melclass::audio
