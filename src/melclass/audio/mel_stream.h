#pragma once
// Mel spectrograms of audio that arrives block by block (decoding a long file),
// with the same result as MelFrontend::compute on the whole wave: n_fft / 2
// zeros are prepended before the first block and appended after the last, and
// the samples of frames that straddle a block boundary are kept for the next.

#include <cstdint>
#include <filesystem>
#include <vector>

#include <ATen/core/Tensor.h>

#include "melclass/audio/mel.h"

namespace melclass::audio {

class MelStream {
 public:
  /// `frontend` must outlive the stream.
  explicit MelStream(const MelFrontend& frontend);

  /// Appends `count` samples (at the frontend's sample rate).
  void push(const float* samples, int64_t count);

  /// Ends the stream: mel power [1, n_mels, 1 + N / hop] for N samples pushed
  /// (even n_fft), equal to frontend.compute(all samples) up to float rounding.
  at::Tensor finish();

  int64_t samples_pushed() const { return pushed_; }

 private:
  /// Turns every complete frame in pending_ into mel frames.
  void flush_frames();

  const MelFrontend& frontend_;
  std::vector<float> pending_;  ///< padded signal from the next frame's start
  int64_t skip_ = 0;            ///< samples still to drop (hop > n_fft)
  int64_t pushed_ = 0;
  std::vector<at::Tensor> chunks_;  ///< [n_mels, frames] each
};

/// Decodes an audio file (decode_audio at options.sample_rate) and returns its
/// mel power [1, n_mels, T], streaming: memory holds one block of audio and
/// the mel output. `samples`, when given, receives the decoded length N.
/// Throws Error("audio", path, "cannot decode: ..."), and Error("audio", path,
/// ...) for a file with no samples or a result with NaN/Inf values.
at::Tensor audio_file_mel(const std::filesystem::path& path, const MelFrontend& frontend,
                          int64_t* samples = nullptr);

}  // namespace melclass::audio
