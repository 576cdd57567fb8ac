// audio::MelFrontend (scale, filterbank, options) and MelStream == compute.

#include <random>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "melclass/audio/mel.h"
#include "melclass/audio/mel_stream.h"

using namespace melclass::audio;

TEST(MelScale, SlaneyAndHtkKnownValues) {
  EXPECT_DOUBLE_EQ(hz_to_mel(1000.0, false), 15.0);      // linear part ends at 1 kHz = 15 mel
  EXPECT_DOUBLE_EQ(hz_to_mel(200.0, false), 3.0);        // 200/3 Hz per mel below 1 kHz
  EXPECT_NEAR(hz_to_mel(6400.0, false), 42.0, 1e-12);    // 27 mel per factor 6.4 above
  EXPECT_NEAR(hz_to_mel(1000.0, true), 999.9855, 1e-3);  // 2595 log10(1 + 1000/700)
  for (double hz : {0.0, 55.0, 999.0, 1000.0, 4321.0, 8000.0})
    for (bool htk : {false, true}) EXPECT_NEAR(mel_to_hz(hz_to_mel(hz, htk), htk), hz, 1e-9);
}

TEST(MelFilterbank, ShapeAndSlaneyArea) {
  const MelOptions o;
  const at::Tensor w = mel_filterbank(o).to(at::kDouble);
  ASSERT_EQ(w.sizes(), (at::IntArrayRef{128, 513}));
  EXPECT_GE(w.min().item<double>(), 0.0);
  // Slaney normalisation: each triangle (peak 2 / width) has unit area in Hz,
  // so its sum times the bin width (15.625 Hz) is about 1 for wide triangles.
  const at::Tensor area = w.sum(1) * (16000.0 / 1024.0);
  EXPECT_NEAR(area[100].item<double>(), 1.0, 0.02);
  EXPECT_NEAR(area[127].item<double>(), 1.0, 0.05);
}

TEST(MelOptions, RefusesInconsistentValues) {
  MelOptions o;
  o.f_max = 9000;  // above Nyquist at 16 kHz
  EXPECT_MELCLASS_ERROR(MelFrontend{o}, "mel: ", "f_max");
  o = MelOptions();
  o.n_fft = -4;
  EXPECT_MELCLASS_ERROR(MelFrontend{o}, "n_fft");
  o = MelOptions();
  o.hop = 0;
  EXPECT_MELCLASS_ERROR(MelFrontend{o}, "hop");
}

TEST(MelFrontend, FrameCountAndSilence) {
  const MelFrontend mel{MelOptions()};
  for (int64_t n : {0, 1, 511, 512, 513, 16000}) {
    const at::Tensor m = mel.compute(at::zeros({n}));
    EXPECT_EQ(m.sizes(), (at::IntArrayRef{1, 128, 1 + n / 512})) << n;
    EXPECT_EQ(m.abs().max().item<float>(), 0.0f);
  }
}

namespace {
// Tones, a sweep and noise: every band carries energy.
at::Tensor test_signal(int64_t n, int64_t rate) {
  const at::Tensor t = at::arange(n, at::kDouble) / static_cast<double>(rate);
  at::Tensor x =
      0.3 * at::sin(2 * M_PI * 440.0 * t) + 0.2 * at::sin(2 * M_PI * (200.0 + 300.0 * t) * t);
  at::manual_seed(7);
  return (x + 0.05 * at::randn({n}, at::kDouble)).to(at::kFloat);
}

at::Tensor stream(const MelFrontend& frontend, const at::Tensor& wave,
                  std::vector<int64_t> blocks) {
  MelStream s(frontend);
  const float* p = wave.data_ptr<float>();
  int64_t at = 0;
  for (size_t i = 0; at < wave.size(0); ++i) {
    const int64_t n = std::min(blocks[i % blocks.size()], wave.size(0) - at);
    s.push(p + at, n);
    at += n;
  }
  return s.finish();
}
}  // namespace

TEST(MelStream, EqualsComputeOnTheWholeWave) {
  const at::Tensor wave = test_signal(16000 * 30 + 123, 16000);  // 30 s, not a multiple of hop
  const MelFrontend frontend{MelOptions()};
  const at::Tensor whole = frontend.compute(wave);
  for (const auto& blocks :
       std::vector<std::vector<int64_t>>{{65536}, {1, 7, 513, 4000}, {100000000}}) {
    const at::Tensor s = stream(frontend, wave, blocks);
    ASSERT_EQ(s.sizes(), whole.sizes());
    EXPECT_TRUE(at::allclose(s, whole, 1e-4, 1e-6)) << (s - whole).abs().max().item<float>();
  }
}

TEST(MelStream, OtherGeometriesAndShortInput) {
  MelOptions o;
  o.n_fft = 400;
  o.hop = 160;
  o.n_mels = 40;
  MelOptions wide_hop = o;
  wide_hop.hop = 700;  // hop > n_fft: samples between windows are skipped
  for (const MelOptions& opt : {o, wide_hop}) {
    const MelFrontend frontend(opt);
    for (int64_t n : {0, 5, 399, 8000 + 17}) {
      const at::Tensor wave = test_signal(n, 16000);
      const at::Tensor whole = frontend.compute(wave);
      const at::Tensor s = stream(frontend, wave, {333, 1, 1000});
      ASSERT_EQ(s.sizes(), whole.sizes()) << n;
      EXPECT_TRUE(at::allclose(s, whole, 1e-4, 1e-6)) << n;
    }
  }
}

// The CPU path multiplies only each band's non-zero filterbank run; it must
// equal the dense product (float64 reference, torch.stft power) for several
// geometries, including bands that touch the first and last bins.
TEST(MelFrontend, SparseFilterbankEqualsDenseProduct) {
  at::manual_seed(0);
  const at::Tensor wave = at::rand({20000}) * 2 - 1;
  std::vector<MelOptions> cases(5);
  cases[1].n_mels = 40, cases[1].htk = true, cases[1].slaney_norm = false;
  cases[2].f_min = 300, cases[2].f_max = 4000, cases[2].n_mels = 64, cases[2].power = 1.0;
  cases[3].n_fft = 512, cases[3].hop = 160, cases[3].n_mels = 96;
  cases[4].power = 1.5;
  for (size_t i = 0; i < cases.size(); ++i) {
    const MelOptions& o = cases[i];
    const MelFrontend mel{o};
    const at::Tensor padded =
        at::constant_pad_nd(wave.to(at::kDouble), {o.n_fft / 2, o.n_fft / 2}, 0.0);
    const at::Tensor spec =
        at::stft(padded, o.n_fft, o.hop, o.n_fft, at::hann_window(o.n_fft, true, at::kDouble),
                 false, true, true);
    const at::Tensor dense =
        at::matmul(mel_filterbank(o).to(at::kDouble), at::abs(spec).pow(o.power));
    const at::Tensor got = mel.compute(wave)[0].to(at::kDouble);
    ASSERT_EQ(got.sizes(), dense.sizes()) << i;
    const double scale = dense.abs().max().item<double>();
    EXPECT_LT((got - dense).abs().max().item<double>() / scale, 1e-5) << i;
  }
}
