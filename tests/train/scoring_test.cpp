// train::prepare_input and train::predict_probabilities.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/testing.h"
#include "melclass/models/registry.h"
#include "melclass/train/scoring.h"

using namespace melclass;

namespace {
models::Recipe recipe(int64_t train_frames, int64_t eval_frames, const std::string& compression) {
  models::Recipe r;
  r.train_frames = train_frames;
  r.eval_frames = eval_frames;
  r.compression = compression;
  r.train_crop = "random";
  r.eval_crop = "head";
  return r;
}
}  // namespace

TEST(PrepareInput, CompressesAndCuts) {
  std::mt19937_64 rng(0);
  const at::Tensor mel = torch::full({128, 50}, 0.9f);  // log10(1 + 10 * 0.9) = 1
  const auto train = train::prepare_input(mel, recipe(16, 0, "log10_1p10"), true, rng);
  EXPECT_EQ(train.sizes().vec(), (std::vector<int64_t>{128, 16}));
  EXPECT_TRUE(torch::allclose(train, torch::ones({128, 16})));
  // eval_frames 0: the whole track.
  const auto whole = train::prepare_input(mel, recipe(16, 0, "log10_1p10"), false, rng);
  EXPECT_EQ(whole.sizes().vec(), (std::vector<int64_t>{128, 50}));
  // eval_frames > length: zero padding after compression (log10(1 + 0) = 0).
  const auto padded = train::prepare_input(mel, recipe(16, 60, "log10_1p10"), false, rng);
  EXPECT_EQ(padded.size(1), 60);
  EXPECT_FLOAT_EQ(padded[0][59].item<float>(), 0.0f);
  EXPECT_NEAR(padded[0][49].item<float>(), 1.0f, 1e-6);
  // Head crop for evaluation: first frames.
  const at::Tensor ramp = torch::arange(50, torch::kFloat).expand({128, 50});
  const auto head = train::prepare_input(ramp, recipe(16, 10, "none"), false, rng);
  EXPECT_TRUE(torch::equal(head, ramp.narrow(1, 0, 10)));
}

TEST(PredictProbabilities, SoftmaxSigmoidAndBatching) {
  torch::manual_seed(0);
  models::ModelOptions o;
  o.n_classes = 3;
  auto model = models::make_model("tcnet", o);
  // Lengths 20, 20, 20, 31, 20: batches of equal length up to batch_size 2.
  std::vector<at::Tensor> inputs;
  for (const int64_t t : {20, 20, 20, 31, 20}) inputs.push_back(torch::rand({128, t}));
  const auto p = train::predict_probabilities(*model, inputs, false, torch::kCPU, 2);
  ASSERT_EQ(p.sizes().vec(), (std::vector<int64_t>{5, 3}));
  EXPECT_TRUE(torch::allclose(p.sum(1), torch::ones({5}), 1e-5, 1e-5));
  EXPECT_FALSE(model->is_training()) << "predict_probabilities runs in eval mode";
  // Batched results equal one-at-a-time results (eval-mode BatchNorm, no dropout).
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto one = train::predict_probabilities(*model, {inputs[i]}, false, torch::kCPU, 1);
    EXPECT_TRUE(torch::allclose(one[0], p[static_cast<int64_t>(i)], 1e-4, 1e-6)) << i;
  }
  const auto m = train::predict_probabilities(*model, inputs, true, torch::kCPU, 8);
  EXPECT_TRUE((m > 0).all().item<bool>() && (m < 1).all().item<bool>());
  EXPECT_FALSE(torch::allclose(m.sum(1), torch::ones({5})));
}
