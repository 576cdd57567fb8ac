// Band standardisation, weight EMA, asymmetric loss, per-tag calibration.

#include <cmath>
#include <random>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/testing.h"
#include "melclass/data/normalization.h"
#include "melclass/train/augment.h"
#include "melclass/train/calibration.h"
#include "melclass/train/ema.h"

using namespace melclass;

TEST(BandStats, StreamingEqualsWholeAndRoundTrips) {
  torch::manual_seed(0);
  const at::Tensor a = torch::randn({8, 50}) * 3 + 1, b = torch::randn({8, 7}) - 2;
  data::BandStatsAccumulator acc(8);
  acc.add(a);
  acc.add(b);
  const auto s = acc.finish();
  const at::Tensor all = torch::cat({a, b}, 1).to(torch::kDouble);
  const at::Tensor mean = all.mean(1), std = all.std(1, /*unbiased=*/false);
  for (int64_t f = 0; f < 8; ++f) {
    EXPECT_NEAR(s.mean[f], mean[f].item<double>(), 1e-9);
    EXPECT_NEAR(s.std[f], std[f].item<double>(), 1e-9);
  }
  const at::Tensor z = data::standardize(all.to(torch::kFloat), s);
  EXPECT_LT(z.mean(1).abs().max().item<double>(), 1e-5);
  EXPECT_NEAR(z.std(1, false).mean().item<double>(), 1.0, 1e-5);
  melclass::testing::TempDir dir;
  data::save_band_stats(dir / "n.json", s);
  const auto back = data::load_band_stats(dir / "n.json", 8);
  EXPECT_EQ(back.mean, s.mean);
  EXPECT_THROW(data::load_band_stats(dir / "n.json", 9), Error);
  EXPECT_TRUE(torch::equal(data::standardize(a, data::BandStats{}), a)) << "empty: unchanged";
}

TEST(WeightEma, AveragesAndSwaps) {
  torch::nn::Linear lin(1, 1);
  torch::NoGradGuard no_grad;
  lin->weight.fill_(0);
  lin->bias.fill_(0);
  train::WeightEma ema(*lin, 0.5);
  lin->weight.fill_(1);
  ema.update(*lin);  // d = min(0.5, 1/10) = 0.1: shadow = 0.1 * 0 + 0.9 * 1
  ema.swap(*lin);
  EXPECT_NEAR(lin->weight.item<double>(), 0.9, 1e-6);
  ema.swap(*lin);
  EXPECT_NEAR(lin->weight.item<double>(), 1.0, 1e-6) << "second swap restores the live weights";
  EXPECT_THROW(train::WeightEma(*lin, 1.0), Error);
}

TEST(AsymmetricLoss, MatchesTheFormulaAndBceAtZeroGammas) {
  const at::Tensor z = torch::tensor({{2.0f, -1.0f}, {0.5f, 0.0f}});
  const at::Tensor t = torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}});
  const double bce = torch::binary_cross_entropy_with_logits(z, t).item<double>();
  EXPECT_NEAR(train::asymmetric_loss(z, t, 0, 0, 0).item<double>(), bce, 1e-5);
  // By hand, gamma_neg 4, clip 0.05.
  auto sig = [](double v) { return 1 / (1 + std::exp(-v)); };
  double sum = 0;
  const double zs[2][2] = {{2, -1}, {0.5, 0}}, ts[2][2] = {{1, 0}, {0, 1}};
  for (int i = 0; i < 2; ++i)
    for (int c = 0; c < 2; ++c) {
      const double p = sig(zs[i][c]), pm = std::max(p - 0.05, 0.0);
      sum += ts[i][c] ? -std::log(p) : -std::pow(pm, 4) * std::log(1 - pm);
    }
  EXPECT_NEAR(train::asymmetric_loss(z, t, 4, 0, 0.05).item<double>(), sum / 4, 1e-5);
}

TEST(TagOffsets, RaiseValidationF1AndApplyPerTag) {
  // Tag 0 is true when p0 > 0.2, tag 1 when p1 > 0.8: no single offset serves both.
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<float> u(0, 1);
  const int64_t n = 200;
  at::Tensor probs = torch::empty({n, 2}), y = torch::zeros({n, 2});
  for (int64_t i = 0; i < n; ++i) {
    const float a = u(rng), b = u(rng);
    probs[i][0] = a, probs[i][1] = b;
    y[i][0] = a > 0.2f, y[i][1] = b > 0.8f;
  }
  const auto global = train::fit_calibration(probs, y, 0);
  const auto tags = train::fit_tag_offsets(probs, y, global);
  ASSERT_EQ(tags.tag_offsets.size(), 2u);
  auto f1 = [&](const train::Calibration& c) {
    return train::micro_f1(train::decide_tags(train::apply_calibration(probs, c), 0), y);
  };
  EXPECT_GT(f1(tags), f1(global) + 0.02);
  EXPECT_GT(f1(tags), 0.95);
  melclass::testing::TempDir dir;
  train::save_calibration(dir / "c.json", tags);
  EXPECT_EQ(train::load_calibration(dir / "c.json", {}).tag_offsets, tags.tag_offsets);
}
