#include "melclass/audio/mel.h"

#include <cmath>

#include <ATen/ATen.h>

#include "melclass/core/error.h"

namespace melclass::audio {
namespace {
// Slaney scale constants (librosa.core.convert.hz_to_mel, htk=False).
constexpr double kLinearStep = 200.0 / 3.0;  // Hz per mel below 1 kHz
constexpr double kLogStartHz = 1000.0;
constexpr double kLogStartMel = kLogStartHz / kLinearStep;  // 15
const double kLogStep = std::log(6.4) / 27.0;
}  // namespace

void validate(const MelOptions& o) {
  auto need = [](bool ok, const std::string& what) { check(ok, "mel", "", what); };
  need(o.sample_rate > 0, "sample_rate must be positive");
  need(o.n_fft >= 16 && o.n_fft <= (1 << 16), "n_fft must be in [16, 65536]");
  need(o.hop >= 1, "hop must be positive");
  need(o.n_mels >= 1 && o.n_mels <= 1024, "n_mels must be in [1, 1024]");
  need(o.f_min >= 0 && o.f_max > o.f_min && o.f_max <= o.sample_rate / 2.0,
       "need 0 <= f_min < f_max <= sample_rate / 2");
  need(o.power > 0, "power must be positive");
}

double hz_to_mel(double hz, bool htk) {
  if (htk) return 2595.0 * std::log10(1.0 + hz / 700.0);
  if (hz < kLogStartHz) return hz / kLinearStep;
  return kLogStartMel + std::log(hz / kLogStartHz) / kLogStep;
}

double mel_to_hz(double mel, bool htk) {
  if (htk) return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
  if (mel < kLogStartMel) return mel * kLinearStep;
  return kLogStartHz * std::exp(kLogStep * (mel - kLogStartMel));
}

at::Tensor mel_filterbank(const MelOptions& o) {
  validate(o);
  const int64_t bins = o.n_fft / 2 + 1;
  // n_mels + 2 points evenly spaced in mel, in Hz.
  std::vector<double> edges(static_cast<size_t>(o.n_mels + 2));
  const double lo = hz_to_mel(o.f_min, o.htk), hi = hz_to_mel(o.f_max, o.htk);
  for (size_t i = 0; i < edges.size(); ++i)
    edges[i] = mel_to_hz(lo + (hi - lo) * static_cast<double>(i) / (edges.size() - 1), o.htk);
  at::Tensor w = at::zeros({o.n_mels, bins}, at::kDouble);
  double* data = w.data_ptr<double>();
  for (int64_t m = 0; m < o.n_mels; ++m) {
    const double left = edges[m], centre = edges[m + 1], right = edges[m + 2];
    const double norm = o.slaney_norm ? 2.0 / (right - left) : 1.0;
    for (int64_t k = 0; k < bins; ++k) {
      const double f = static_cast<double>(k) * o.sample_rate / o.n_fft;
      const double rising = (f - left) / (centre - left);
      const double falling = (right - f) / (right - centre);
      data[m * bins + k] = std::max(0.0, std::min(rising, falling)) * norm;
    }
  }
  return w.to(at::kFloat);
}

MelFrontend::MelFrontend(const MelOptions& options)
    : options_((validate(options), options)),
      window_(at::hann_window(options.n_fft, /*periodic=*/true, at::kFloat)),
      filterbank_(mel_filterbank(options)) {
  const at::Tensor fb = filterbank_.contiguous();
  const int64_t bins = fb.size(1);
  const float* w = fb.data_ptr<float>();
  for (int64_t b = 0; b < fb.size(0); ++b) {
    const float* row = w + b * bins;
    int64_t first = 0, last = bins;
    while (first < bins && row[first] == 0.0f) ++first;
    while (last > first && row[last - 1] == 0.0f) --last;
    bands_.push_back({first, std::vector<float>(row + first, row + last)});
  }
}

at::Tensor MelFrontend::power_bands(const at::Tensor& spec) const {
  // view_as_real: [bins, frames, 2] over the complex STFT; any strides.
  const at::Tensor ri = at::view_as_real(spec);
  const int64_t bins = ri.size(0), frames = ri.size(1);
  const int64_t s_bin = ri.stride(0), s_frame = ri.stride(1), s_part = ri.stride(2);
  const float* in = ri.data_ptr<float>();
  at::Tensor out = at::empty({static_cast<int64_t>(bands_.size()), frames}, ri.options());
  float* o = out.data_ptr<float>();
  std::vector<float> power(static_cast<size_t>(bins));
  const double half_power = options_.power / 2.0;
  for (int64_t f = 0; f < frames; ++f) {
    const float* frame = in + f * s_frame;
    for (int64_t k = 0; k < bins; ++k) {
      const float re = frame[k * s_bin], im = frame[k * s_bin + s_part];
      power[static_cast<size_t>(k)] = re * re + im * im;  // |X|^2
    }
    if (half_power == 0.5) {
      for (float& v : power) v = std::sqrt(v);
    } else if (half_power != 1.0) {
      for (float& v : power) v = static_cast<float>(std::pow(v, half_power));
    }
    for (size_t b = 0; b < bands_.size(); ++b) {
      const float* w = bands_[b].weights.data();
      const float* p = power.data() + bands_[b].first;
      float sum = 0.0f;
      for (size_t k = 0; k < bands_[b].weights.size(); ++k) sum += w[k] * p[k];
      o[static_cast<int64_t>(b) * frames + f] = sum;
    }
  }
  return out;
}

at::Tensor MelFrontend::frames(const at::Tensor& segment) const {
  check(segment.dim() == 1 && segment.size(0) >= options_.n_fft, "mel", "",
        "segment must be 1-D with at least n_fft samples");
  const at::Tensor x = segment.to(at::kFloat);
  const at::Tensor spec =
      at::stft(x, options_.n_fft, options_.hop, options_.n_fft, window_.to(x.device()),
               /*normalized=*/false, /*onesided=*/true, /*return_complex=*/true);
  // On the CPU: |X|^power and the sum over each band's non-zero weights in one
  // pass over the frames (stft's layout is frame-major).
  if (x.is_cpu()) return power_bands(spec);
  at::Tensor mag = at::abs(spec);  // [bins, frames]
  if (options_.power != 1.0) mag = options_.power == 2.0 ? mag.square() : mag.pow(options_.power);
  return at::matmul(filterbank_.to(x.device()), mag);
}

at::Tensor MelFrontend::compute(const at::Tensor& wave) const {
  check(wave.dim() == 1, "mel", "", "wave must be 1-D");
  const int64_t half = options_.n_fft / 2;
  const at::Tensor padded = at::constant_pad_nd(wave.to(at::kFloat), {half, half}, 0.0);
  return frames(padded).unsqueeze(0);
}

}  // namespace melclass::audio
