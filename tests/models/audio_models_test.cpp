// models: properties every registered audio model must have (any length,
// gradients, deterministic eval, specs, option checks), and the shortres,
// musicnn, crnn and stats models.

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/testing.h"
#include "melclass/models/crnn.h"
#include "melclass/models/musicnn.h"
#include "melclass/models/registry.h"
#include "melclass/models/short_res.h"
#include "melclass/models/stats.h"

using namespace melclass::models;

namespace {

ModelOptions options(int64_t classes, int64_t n_mels = 128) {
  ModelOptions o;
  o.n_classes = classes;
  o.n_mels = n_mels;
  return o;
}

int64_t parameter_count(torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

/// Registered models that read audio and take any length. The kit baseline is
/// left out: it is defined on the first 1200 frames (its time pools need
/// T >= 1024) and is ~30x slower; models_test.cpp covers it.
std::vector<std::string> any_length_audio_models() {
  std::vector<std::string> out;
  for (const auto& name : model_names())
    if (model_spec(name).inputs == Inputs::kAudio && name != "baseline") out.push_back(name);
  return out;
}

std::vector<std::string> audio_models() {
  std::vector<std::string> out;
  for (const auto& name : model_names())
    if (model_spec(name).inputs == Inputs::kAudio) out.push_back(name);
  return out;
}

class AudioModelsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::set_num_threads(2);
    torch::manual_seed(0);
  }
};

}  // namespace

TEST_F(AudioModelsTest, NewModelsAreRegistered) {
  const auto names = any_length_audio_models();
  for (const std::string n : {"crnn", "musicnn", "shortres", "stats", "stats_ext", "tcnet"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
}

TEST_F(AudioModelsTest, SpecsAreComplete) {
  for (const auto& name : audio_models()) {
    SCOPED_TRACE(name);
    const ModelSpec& s = model_spec(name);
    EXPECT_EQ(s.name, name);
    EXPECT_FALSE(s.description.empty());
    EXPECT_FALSE(s.reference.empty());
    EXPECT_TRUE(static_cast<bool>(s.make));
    const Recipe& r = s.recipe;
    EXPECT_GE(r.train_frames, 32);
    EXPECT_TRUE(r.eval_frames == 0 || r.eval_frames >= 32);
    EXPECT_GT(r.batch_size, 0);
    EXPECT_GT(r.epochs, 0);
    EXPECT_GT(r.lr, 0);
    if (r.eval_crop == "chunks") {
      EXPECT_GT(r.eval_frames, 0);
    }
  }
}

TEST_F(AudioModelsTest, RecipesOfNewModels) {
  const Recipe& s = model_spec("shortres").recipe;
  EXPECT_EQ(s.eval_crop, "chunks");
  EXPECT_EQ(s.eval_frames, s.train_frames);
  const Recipe& m = model_spec("musicnn").recipe;
  EXPECT_EQ(m.eval_crop, "chunks");
  EXPECT_EQ(m.eval_frames, m.train_frames);
  EXPECT_EQ(model_spec("crnn").recipe.eval_frames, 0);
  const Recipe& st = model_spec("stats").recipe;
  EXPECT_EQ(st.eval_frames, 0);
  EXPECT_GE(st.train_frames, 512);
  EXPECT_EQ(st.mixup_alpha, 0);
  EXPECT_EQ(st.spec_time_masks + st.spec_freq_masks, 0);
}

TEST_F(AudioModelsTest, OutputShapeForAnyLengthAndClassCount) {
  torch::NoGradGuard no_grad;
  for (const auto& name : any_length_audio_models()) {
    for (const int64_t classes : {4, 100}) {
      auto model = make_model(name, options(classes));
      model->eval();
      for (const int64_t t : {32, 256, 940}) {
        SCOPED_TRACE(name + " C=" + std::to_string(classes) + " T=" + std::to_string(t));
        const int64_t batch = t < 940 ? 2 : 1;  // a whole track is scored alone
        const auto y = model->forward(torch::randn({batch, 128, t}));
        EXPECT_EQ(y.sizes().vec(), (std::vector<int64_t>{batch, classes}));
        EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
      }
    }
  }
}

TEST_F(AudioModelsTest, TrainModeTakesShortCropsAndOtherBandCounts) {
  for (const auto& name : any_length_audio_models()) {
    SCOPED_TRACE(name);
    auto model = make_model(name, options(3, 64));
    model->train();
    const auto y = model->forward(torch::randn({3, 64, 33}));
    EXPECT_EQ(y.sizes().vec(), (std::vector<int64_t>{3, 3}));
    EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
  }
}

TEST_F(AudioModelsTest, GradientsReachEveryParameter) {
  for (const auto& name : any_length_audio_models()) {
    SCOPED_TRACE(name);
    auto model = make_model(name, options(3));
    model->train();
    const auto x = torch::randn({4, 128, 64});
    const auto target = torch::tensor({0, 1, 2, 1}, torch::kLong);
    torch::nn::functional::cross_entropy(model->forward(x), target).backward();
    for (const auto& p : model->named_parameters()) {
      SCOPED_TRACE(p.key());
      ASSERT_TRUE(p.value().grad().defined()) << "no gradient";
      EXPECT_TRUE(torch::isfinite(p.value().grad()).all().item<bool>());
      EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0) << "zero gradient";
    }
  }
}

TEST_F(AudioModelsTest, EvalIsDeterministicAndPerExample) {
  torch::NoGradGuard no_grad;
  for (const auto& name : any_length_audio_models()) {
    SCOPED_TRACE(name);
    auto model = make_model(name, options(5));
    model->eval();
    const auto x = torch::randn({3, 128, 100});
    const auto y = model->forward(x);
    EXPECT_TRUE(torch::equal(model->forward(x), y));
    EXPECT_TRUE(torch::allclose(model->forward(x.narrow(0, 2, 1)), y.narrow(0, 2, 1), 1e-4, 1e-5));
  }
}

TEST_F(AudioModelsTest, InvalidOptionsThrow) {
  for (const auto& name : audio_models()) {
    SCOPED_TRACE(name);
    ModelOptions o = options(4);
    o.n_classes = 0;
    EXPECT_MELCLASS_ERROR(make_model(name, o), name + ": n_classes must be positive");
    o = options(4);
    o.n_mels = 0;
    EXPECT_MELCLASS_ERROR(make_model(name, o), name + ": n_mels must be positive");
    o = options(4);
    o.dropout = 1.0;
    EXPECT_MELCLASS_ERROR(make_model(name, o), "dropout must be in [0, 1)");
    o.dropout = -0.1;
    EXPECT_MELCLASS_ERROR(make_model(name, o), "dropout");
  }
  EXPECT_MELCLASS_ERROR(make_model("musicnn", options(4, 7)), "musicnn: n_mels must be at least 8");
  EXPECT_NO_THROW(make_model("musicnn", options(4, 8)));
}

// ---- stats ----

TEST_F(AudioModelsTest, PooledStatsMatchHandComputation) {
  const auto x = torch::randn({2, 3, 7}, torch::kDouble);
  const auto got = pooled_stats(x);
  ASSERT_EQ(got.sizes().vec(), (std::vector<int64_t>{2, 9}));
  const auto a = x.accessor<double, 3>();
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t f = 0; f < 3; ++f) {
      double sum = 0, sq = 0, flux = 0;
      for (int64_t t = 0; t < 7; ++t) sum += a[b][f][t];
      const double mean = sum / 7;
      for (int64_t t = 0; t < 7; ++t) sq += (a[b][f][t] - mean) * (a[b][f][t] - mean);
      for (int64_t t = 1; t < 7; ++t) flux += std::abs(a[b][f][t] - a[b][f][t - 1]);
      EXPECT_NEAR(got[b][f].item<double>(), mean, 1e-12);
      EXPECT_NEAR(got[b][3 + f].item<double>(), std::sqrt(sq / 7), 1e-12);
      EXPECT_NEAR(got[b][6 + f].item<double>(), flux / 6, 1e-12);
    }
  }
}

TEST_F(AudioModelsTest, PooledStatsOfTinyInputs) {
  // One frame: std and flux are 0. A ramp 0, 1, 2, 3: mean 1.5, std sqrt(1.25), flux 1.
  auto one = pooled_stats(torch::full({1, 2, 1}, 3.0));
  EXPECT_TRUE(torch::equal(one, torch::tensor({{3.0f, 3.0f, 0.0f, 0.0f, 0.0f, 0.0f}})));
  auto ramp = pooled_stats(torch::arange(4, torch::kFloat).reshape({1, 1, 4}));
  EXPECT_TRUE(torch::allclose(ramp, torch::tensor({{1.5f, std::sqrt(1.25f), 1.0f}})));
}

TEST_F(AudioModelsTest, StatsModelIsLogisticRegressionOnPooledStats) {
  torch::NoGradGuard no_grad;
  auto model = std::dynamic_pointer_cast<StatsImpl>(make_model("stats", options(4, 16)));
  ASSERT_NE(model, nullptr);
  // Parameters: the linear layer only (BatchNorm without affine): 48 x 4 + 4.
  EXPECT_EQ(parameter_count(*model), 3 * 16 * 4 + 4);
  model->eval();
  const auto x = torch::randn({3, 16, 50});
  // A fresh BatchNorm in eval mode divides by sqrt(1 + eps).
  const auto& p = model->named_parameters();
  const auto expected = torch::nn::functional::linear(pooled_stats(x) / std::sqrt(1.0 + 1e-5),
                                                      p["head.weight"], p["head.bias"]);
  EXPECT_TRUE(torch::allclose(model->forward(x), expected, 1e-5, 1e-6));
}

namespace {

/// Direct-sum reference for rhythm_stats (no FFT, no pooling ops), float64.
std::vector<double> rhythm_reference(const torch::Tensor& x) {
  const auto a = x.accessor<double, 3>();
  const int64_t f_n = x.size(1), t_n = x.size(2), per = f_n / 8;
  std::vector<double> out;
  std::vector<std::vector<double>> env(8, std::vector<double>(t_n, 0));
  for (int64_t g = 0; g < 8; ++g)
    for (int64_t t = 0; t < t_n; ++t) {
      for (int64_t f = g * per; f < (g + 1) * per; ++f) env[g][t] += a[0][f][t] / per;
    }
  const int64_t windows = (t_n - 256) / 128 + 1;
  for (int64_t g = 0; g < 8; ++g) {
    std::vector<double> mag(65, 0);
    for (int64_t w = 0; w < windows; ++w) {
      double mean = 0;
      for (int64_t n = 0; n < 256; ++n) mean += env[g][w * 128 + n] / 256;
      for (int64_t k = 1; k <= 64; ++k) {
        double re = 0, im = 0;
        for (int64_t n = 0; n < 256; ++n) {
          const double h = 0.5 - 0.5 * std::cos(2 * M_PI * n / 255.0);
          const double v = (env[g][w * 128 + n] - mean) * h;
          re += v * std::cos(2 * M_PI * k * n / 256.0),
              im -= v * std::sin(2 * M_PI * k * n / 256.0);
        }
        mag[k] += std::hypot(re, im) / windows;
      }
    }
    for (int64_t r = 0; r < 16; ++r)
      out.push_back(
          std::log1p((mag[4 * r + 1] + mag[4 * r + 2] + mag[4 * r + 3] + mag[4 * r + 4]) / 4));
  }
  std::vector<double> onset(t_n - 1, 0), loud(t_n, 0);
  for (int64_t t = 0; t + 1 < t_n; ++t)
    for (int64_t f = 0; f < f_n; ++f) onset[t] += std::max(0.0, a[0][f][t + 1] - a[0][f][t]) / f_n;
  double om = 0;
  for (double v : onset) om += v / onset.size();
  for (double& v : onset) v -= om;
  std::vector<double> ac(128, 0);
  for (int64_t l = 0; l < 128; ++l)
    for (size_t t = 0; t + l < onset.size(); ++t) ac[l] += onset[t] * onset[t + l];
  for (int64_t r = 0; r < 31; ++r)
    out.push_back((ac[4 + 4 * r] + ac[5 + 4 * r] + ac[6 + 4 * r] + ac[7 + 4 * r]) / 4 / ac[0]);
  for (int64_t t = 0; t < t_n; ++t)
    for (int64_t f = 0; f < f_n; ++f) loud[t] += a[0][f][t] / f_n;
  double mean = 0, var = 0, change = 0;
  for (double v : loud) mean += v / t_n;
  for (double v : loud) var += (v - mean) * (v - mean) / t_n;
  for (int64_t t = 1; t < t_n; ++t) change += std::abs(loud[t] - loud[t - 1]) / (t_n - 1);
  std::vector<double> sorted = loud;
  std::sort(sorted.begin(), sorted.end());
  auto quantile = [&](double q) {  // linear interpolation, as numpy's default
    const double pos = q * (t_n - 1);
    const auto lo = static_cast<int64_t>(std::floor(pos));
    const int64_t hi = std::min<int64_t>(lo + 1, t_n - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  };
  for (double v : {mean, std::sqrt(var), quantile(0.1), quantile(0.9), change}) out.push_back(v);
  return out;
}

}  // namespace

TEST_F(AudioModelsTest, RhythmStatsMatchDirectSums) {
  const auto x = torch::rand({1, 16, 520}, torch::kDouble);  // 3 modulation windows
  const auto got = rhythm_stats(x);
  ASSERT_EQ(got.sizes().vec(), (std::vector<int64_t>{1, kRhythmFeatures}));
  const auto want = rhythm_reference(x);
  ASSERT_EQ(static_cast<int64_t>(want.size()), kRhythmFeatures);
  for (int64_t i = 0; i < kRhythmFeatures; ++i)
    EXPECT_NEAR(got[0][i].item<double>(), want[i], 1e-9) << "feature " << i;
}

TEST_F(AudioModelsTest, RhythmStatsSeeTheBeat) {
  // Loudness pulsing with a period of 16 frames (0.5 s): the onset
  // autocorrelation peaks at lag 16 (run 3 covers lags 16..19) and the
  // modulation energy at 2 Hz (bin 16 of 256, run 3 covers bins 13..16).
  const auto t = torch::arange(1024, torch::kDouble);
  const auto x = torch::sin(t * (2 * M_PI / 16)).expand({1, 16, 1024}).contiguous();
  const auto r = rhythm_stats(x)[0];
  const auto ac = r.narrow(0, 128, 31);
  EXPECT_EQ(ac.argmax().item<int64_t>(), 3);
  EXPECT_EQ(r.narrow(0, 0, 16).argmax().item<int64_t>(), 3);
  // Short inputs (shorter than one modulation window, one frame) still work.
  for (const int64_t n : {1, 2, 100})
    EXPECT_TRUE(torch::isfinite(rhythm_stats(torch::rand({2, 16, n}))).all().item<bool>()) << n;
}

// ---- crnn ----

TEST_F(AudioModelsTest, CrnnAttentionIsADistributionOverSteps) {
  torch::NoGradGuard no_grad;
  auto model = std::dynamic_pointer_cast<CrnnImpl>(make_model("crnn", options(4)));
  ASSERT_NE(model, nullptr);
  model->eval();
  for (const int64_t t : {32, 256, 940}) {
    SCOPED_TRACE(t);
    const auto w = model->attention(torch::randn({2, 128, t}));
    EXPECT_EQ(w.sizes().vec(), (std::vector<int64_t>{2, (t + 15) / 16}));  // 4 pools of 2
    EXPECT_TRUE(torch::allclose(w.sum(1), torch::ones({2})));
    EXPECT_TRUE((w >= 0).all().item<bool>());
  }
}

// ---- parameter counts (hand-counted; the report quotes them) ----

TEST_F(AudioModelsTest, ShortResParameterCount) {
  // ResBlock2d(in, out), convs without bias: conv1 9*in*out + conv2 9*out*out
  // + shortcut 9*in*out + 3 BN * 2*out.
  //   1 -> 32: 288 + 9,216 + 288 + 192 = 9,984
  //   32 -> 32: 3 * 9,216 + 192 = 27,840
  //   32 -> 64: 18,432 + 36,864 + 18,432 + 384 = 74,112
  //   64 -> 64: 3 * 36,864 + 384 = 110,976
  //   64 -> 128: 73,728 + 147,456 + 73,728 + 768 = 295,680
  //   128 -> 128 (twice): 2 * (3 * 147,456 + 768) = 886,272
  // input BN: none (no affine); dense 128 * 128 + 128 = 16,512; dense BN 256; head 129 * C.
  const int64_t fixed = 9984 + 27840 + 74112 + 110976 + 295680 + 886272 + 16512 + 256;
  EXPECT_EQ(parameter_count(*make_model("shortres", options(4))), fixed + 129 * 4);
  EXPECT_NE(std::dynamic_pointer_cast<ShortResImpl>(make_model("shortres", options(4))), nullptr);
}

TEST_F(AudioModelsTest, MusicnnParameterCount) {
  // 128 bands. Timbral Conv1d(h, 32, 7) with bias, h = 115 and 51 bands:
  //   32 * (115 * 7 + 1) = 25,792 and 32 * (51 * 7 + 1) = 11,456; 2 BN: 128
  // Temporal Conv1d(1, 16, k), k = 128, 64, 32: 16 * (224 + 3) = 3,632; 3 BN: 96
  // Mid-end Conv1d(k7) with bias: 112 -> 64: 7 * 112 * 64 + 64 = 50,240;
  //   64 -> 64 (twice): 2 * (7 * 64 * 64 + 64) = 57,472; 3 BN: 384
  // Back end: pool BN 2 * 608 = 1,216; dense 608 * 200 + 200 = 121,800; dense BN 400;
  //   head 201 * C. Input BN: none (no affine).
  const int64_t fixed = 25792 + 11456 + 128 + 3632 + 96 + 50240 + 57472 + 384 + 1216 + 121800 + 400;
  EXPECT_EQ(parameter_count(*make_model("musicnn", options(4))), fixed + 201 * 4);
  EXPECT_NE(std::dynamic_pointer_cast<MusicnnImpl>(make_model("musicnn", options(4))), nullptr);
}

TEST_F(AudioModelsTest, CrnnParameterCount) {
  // Convs 3x3 without bias: 9 * (1*16 + 16*32 + 32*64 + 64*128) = 96,912; BN: 2 * 240 = 480
  // BiGRU(128 -> 64): per direction 3 * 64 * (128 + 64) + 2 * 3 * 64 = 37,248; both: 74,496
  // score Linear(128, 1) without bias: 128; head Linear(128, C): 129 * C; input BN: none.
  const int64_t fixed = 96912 + 480 + 74496 + 128;
  EXPECT_EQ(parameter_count(*make_model("crnn", options(4))), fixed + 129 * 4);
}
