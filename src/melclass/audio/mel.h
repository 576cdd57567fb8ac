#pragma once
// Mel spectrogram frontend in the competition convention, on torch::stft (so it
// runs wherever the tensor lives, CPU or GPU).
// Defaults: 16 kHz, n_fft 1024, hop 512, periodic Hann window, centred frames
// with zero padding, power 2, 128 Slaney-scale bands with Slaney area
// normalisation, 0-8000 Hz: librosa.feature.melspectrogram(sr=16000,
// n_fft=1024, hop_length=512, n_mels=128, pad_mode="constant") and
// librosa.filters.mel (McFee et al., librosa 0.10, filters.py; Slaney 1998,
// "Auditory Toolbox", Interval Research Technical Report #1998-010).

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

namespace melclass::audio {

struct MelOptions {
  int64_t sample_rate = 16000;
  int64_t n_fft = 1024;
  int64_t hop = 512;
  int64_t n_mels = 128;
  double f_min = 0.0;
  double f_max = 8000.0;    ///< <= sample_rate / 2
  bool htk = false;         ///< HTK mel scale instead of Slaney
  bool slaney_norm = true;  ///< divide each triangle by its width in Hz (area normalisation)
  double power = 2.0;       ///< 1 = magnitude, 2 = power
};

/// Throws Error("mel", "", ...) for inconsistent options.
void validate(const MelOptions& options);

/// Hz <-> mel on the Slaney (linear below 1 kHz, log above) or HTK scale.
double hz_to_mel(double hz, bool htk);
double mel_to_hz(double mel, bool htk);

/// Filterbank [n_mels, n_fft / 2 + 1] (float32), as librosa.filters.mel.
at::Tensor mel_filterbank(const MelOptions& options);

class MelFrontend {
 public:
  explicit MelFrontend(const MelOptions& options);

  /// wave [N] float (any N >= 0) -> mel power [1, n_mels, 1 + N / hop],
  /// frames centred with n_fft / 2 zeros on both sides.
  at::Tensor compute(const at::Tensor& wave) const;

  /// Streaming building block: segment [M] (M >= n_fft) holding the samples of
  /// frames whose windows start at 0, hop, 2 hop, ... -> [n_mels, 1 + (M - n_fft) / hop].
  /// compute() is this on the zero-padded wave.
  at::Tensor frames(const at::Tensor& segment) const;

  const MelOptions& options() const { return options_; }

 private:
  MelOptions options_;
  at::Tensor window_;      ///< periodic Hann [n_fft]
  at::Tensor filterbank_;  ///< [n_mels, n_fft / 2 + 1]

  /// One mel band's non-zero run of the filterbank: bins [first, first + weights.size()).
  struct Band {
    int64_t first = 0;
    std::vector<float> weights;
  };
  std::vector<Band> bands_;  ///< per mel band, for the sparse product on the CPU

  /// spec: complex STFT [bins, frames] (CPU, any strides) -> filterbank_ x |spec|^power
  /// [n_mels, frames], frame by frame, touching only each band's non-zero bins (~2 per
  /// bin instead of n_mels).
  at::Tensor power_bands(const at::Tensor& spec) const;
};

}  // namespace melclass::audio
