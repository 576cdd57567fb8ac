// train/augment: SpecAugment masks, mixup, random gain, label-smoothed loss.

#include <cmath>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "melclass/train/augment.h"
#include "melclass/train/scoring.h"

using namespace melclass;

TEST(SpecAugment, MasksRespectCountAndWidthBounds) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    const auto masks = train::draw_masks(3, 10, 50, rng);
    ASSERT_EQ(masks.size(), 3u);
    for (const auto& m : masks) {
      EXPECT_GE(m.width, 0);
      EXPECT_LE(m.width, 10);
      EXPECT_GE(m.start, 0);
      EXPECT_LE(m.start + m.width, 50);
    }
  }
  EXPECT_LE(train::draw_masks(1, 100, 8, rng).at(0).width, 8) << "width capped by the length";
  EXPECT_TRUE(train::draw_masks(2, 0, 8, rng).empty());
}

TEST(SpecAugment, ChangesOnlyTheMaskedRegion) {
  const at::Tensor x0 = torch::rand({16, 40}) + 1.0;  // all values > 1, fill -1 stands out
  at::Tensor x = x0.clone();
  const std::vector<train::Mask> freq{{2, 3}}, time{{10, 5}, {30, 0}};
  train::apply_masks(x, freq, time, -1.0);
  for (int64_t f = 0; f < 16; ++f)
    for (int64_t t = 0; t < 40; ++t) {
      const bool masked = (f >= 2 && f < 5) || (t >= 10 && t < 15);
      if (masked)
        EXPECT_EQ(x[f][t].item<float>(), -1.0f) << f << "," << t;
      else
        EXPECT_EQ(x[f][t].item<float>(), x0[f][t].item<float>()) << f << "," << t;
    }
}

TEST(SpecAugment, BatchFillsWithExampleMeanAndIsSeeded) {
  models::Recipe r;
  r.spec_time_masks = 2, r.spec_time_width = 8, r.spec_freq_masks = 2, r.spec_freq_width = 4;
  const at::Tensor x0 = torch::rand({3, 16, 32});
  at::Tensor a = x0.clone(), b = x0.clone();
  std::mt19937_64 rng_a(1), rng_b(1);
  train::spec_augment(a, r, rng_a);
  train::spec_augment(b, r, rng_b);
  EXPECT_TRUE(torch::equal(a, b)) << "same seed, same masks";
  for (int64_t i = 0; i < 3; ++i) {
    const at::Tensor changed = a[i] != x0[i];
    const float mean = x0[i].mean().item<float>();
    if (changed.any().item<bool>()) {
      EXPECT_TRUE(torch::allclose(a[i].masked_select(changed),
                                  torch::full({changed.sum().item<int64_t>()}, mean)));
    }
  }
  // At most 2 * 8 masked columns + 2 * 4 masked rows' worth of cells.
  EXPECT_LE((a != x0).sum().item<int64_t>(), 3 * (16 * 16 + 8 * 32));
}

TEST(Mixup, AlphaZeroIsIdentityAndLambdaInUnitInterval) {
  std::mt19937_64 rng(3);
  const auto off = train::draw_mixup(0.0, 5, rng);
  EXPECT_EQ(off.lambda, 1.0);
  EXPECT_EQ(off.partner, (std::vector<int64_t>{0, 1, 2, 3, 4}));
  const at::Tensor x = torch::rand({5, 4, 6});
  EXPECT_TRUE(torch::equal(train::mix(x, off), x));
  std::mt19937_64 untouched(3);
  EXPECT_EQ(rng(), untouched()) << "alpha 0 draws nothing";
  for (double alpha : {0.1, 0.2, 1.0, 4.0})
    for (int i = 0; i < 200; ++i) {
      const double l = train::sample_beta(alpha, rng);
      EXPECT_GE(l, 0.0);
      EXPECT_LE(l, 1.0);
    }
  const auto m = train::draw_mixup(0.4, 5, rng);
  const at::Tensor mixed = train::mix(x, m);
  for (int64_t i = 0; i < 5; ++i)
    EXPECT_TRUE(torch::allclose(mixed[i], m.lambda * x[i] + (1 - m.lambda) * x[m.partner[i]]));
}

TEST(Mixup, BetaMeanIsHalf) {
  std::mt19937_64 rng(11);
  double sum = 0;
  for (int i = 0; i < 4000; ++i) sum += train::sample_beta(0.2, rng);
  EXPECT_NEAR(sum / 4000, 0.5, 0.03);
}

TEST(Gain, ScalesTheLinearInputBeforeCompression) {
  std::mt19937_64 rng(5);
  EXPECT_EQ(train::sample_gain(0.0, rng), 1.0);
  for (int i = 0; i < 100; ++i) {
    const double g = train::sample_gain(6.0, rng);
    EXPECT_GE(10 * std::log10(g), -6.0 - 1e-9);
    EXPECT_LE(10 * std::log10(g), 6.0 + 1e-9);
  }
  models::Recipe r;
  r.compression = "none", r.train_frames = 10, r.train_crop = "head";
  const at::Tensor mel = torch::rand({8, 10});
  const auto x = train::prepare_input(mel, r, true, rng, 2.5);
  EXPECT_TRUE(torch::allclose(x, mel * 2.5));
  r.compression = "db";
  const auto db = train::prepare_input(mel + 0.1, r, true, rng, 10.0);
  const auto ref = train::prepare_input(mel + 0.1, r, true, rng);
  EXPECT_TRUE(torch::allclose(db, ref + 10.0, 1e-4, 1e-4)) << "x10 power = +10 dB";
}

TEST(LabelSmoothing, LossEqualsHandComputation) {
  const at::Tensor logits = torch::tensor({1.0f, 2.0f, 0.5f}).reshape({1, 3});
  const at::Tensor y = torch::tensor({int64_t{1}});
  const double eps = 0.1;
  const double z[3] = {1.0, 2.0, 0.5};
  const double lse = std::log(std::exp(z[0]) + std::exp(z[1]) + std::exp(z[2]));
  double expect = 0;
  for (int c = 0; c < 3; ++c) expect -= ((c == 1 ? 1 - eps : 0) + eps / 3) * (z[c] - lse);
  train::Mixup none{1.0, {0}};
  EXPECT_NEAR(train::training_loss(logits, y, false, none, eps).item<double>(), expect, 1e-5);
  // eps 0, no mixup: plain cross-entropy.
  EXPECT_NEAR(train::training_loss(logits, y, false, none, 0).item<double>(), lse - z[1], 1e-5);
}

TEST(Mixup, SingleLabelLossIsLambdaWeightedCrossEntropies) {
  const at::Tensor logits = torch::randn({2, 4});
  const at::Tensor y = torch::tensor({int64_t{0}, int64_t{3}});
  train::Mixup m{0.3, {1, 0}};
  const at::Tensor lsm = torch::log_softmax(logits, 1);
  const double expect =
      -(0.3 * (lsm[0][0] + lsm[1][3]) + 0.7 * (lsm[0][3] + lsm[1][0])).item<double>() / 2;
  EXPECT_NEAR(train::training_loss(logits, y, false, m, 0).item<double>(), expect, 1e-5);
  // Multi-label: BCE against mixed targets.
  const at::Tensor t = torch::tensor({1.0f, 0.0f, 0.0f, 1.0f}).reshape({2, 2});
  const at::Tensor z = torch::randn({2, 2});
  const at::Tensor mixed = 0.3 * t + 0.7 * t.flip(0);
  const double bce = torch::binary_cross_entropy_with_logits(z, mixed).item<double>();
  EXPECT_NEAR(train::training_loss(z, t, true, m, 0).item<double>(), bce, 1e-6);
}
