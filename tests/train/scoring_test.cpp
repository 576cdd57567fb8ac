// train::prepare_input and train::predict_probabilities.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/testing.h"
#include "melclass/io/npy.h"
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

namespace {
// logits [B, 2] = (mean of x, -mean of x): known per window.
struct StubImpl : models::ClassifierImpl {
  int64_t calls = 0;
  torch::Tensor forward(torch::Tensor x) override {
    ++calls;
    const auto m = x.mean({1, 2});
    return torch::stack({m, -m}, 1);
  }
};

models::Recipe chunk_recipe(int64_t frames, int64_t hop, const std::string& aggregate) {
  models::Recipe r;
  r.compression = "none";
  r.eval_frames = frames;
  r.eval_crop = "chunks";
  r.eval_hop = hop;
  r.aggregate = aggregate;
  r.batch_size = 3;
  return r;
}
}  // namespace

TEST(ChunkStarts, CountAndEndAlignment) {
  EXPECT_EQ(train::chunk_starts(10, 4, 2), (std::vector<int64_t>{0, 2, 4, 6}));
  EXPECT_EQ(train::chunk_starts(11, 4, 2), (std::vector<int64_t>{0, 2, 4, 6, 7}));
  EXPECT_EQ(train::chunk_starts(4, 4, 2), (std::vector<int64_t>{0}));
  EXPECT_EQ(train::chunk_starts(3, 4, 2), (std::vector<int64_t>{0}));
  EXPECT_EQ(train::chunk_starts(9, 4, 4), (std::vector<int64_t>{0, 4, 5}));
  for (int64_t len : {5, 17, 100, 257})
    EXPECT_EQ(train::chunk_starts(len, 5, 3).back() + 5, len) << "last window ends at the end";
}

TEST(PredictTracks, AggregatesChunksAsByHand) {
  // Track 0: 10 frames, values t -> windows of 4 at 0, 2, 4, 6 with means 1.5, 3.5, 5.5, 7.5.
  // Track 1: 3 frames of 2 -> padded with zeros to 4 by prepare_input: one window, mean 1.5.
  StubImpl stub;
  std::mt19937_64 rng(0);
  const at::Tensor ramp = torch::arange(10, torch::kFloat).expand({2, 10});
  const auto r = chunk_recipe(4, 2, "mean");
  std::vector<at::Tensor> inputs{train::prepare_input(ramp, r, false, rng),
                                 train::prepare_input(torch::full({2, 3}, 2.0f), r, false, rng)};
  ASSERT_EQ(inputs[0].size(1), 10) << "chunks: prepare_input keeps the whole track";
  ASSERT_EQ(inputs[1].size(1), 4) << "short track padded to one window";
  const std::vector<double> means{1.5, 3.5, 5.5, 7.5};
  auto softmax = [](double m) { return 1.0 / (1.0 + std::exp(-2 * m)); };  // p(class 0)
  double mean_p = 0, max_p = 0, logit = 0;
  for (double m : means)
    mean_p += softmax(m) / 4, max_p = std::max(max_p, softmax(m)), logit += m / 4;
  // max: per-class max (class 0: max_p, class 1: 1 - softmax(1.5)), renormalised.
  const double max_c1 = 1 - softmax(1.5);
  const std::vector<std::pair<std::string, double>> cases{
      {"mean", mean_p}, {"max", max_p / (max_p + max_c1)}, {"logit_mean", softmax(logit)}};
  for (const auto& [how, expect] : cases) {
    const auto p = train::predict_tracks(stub, inputs, chunk_recipe(4, 2, how), false, torch::kCPU);
    ASSERT_EQ(p.sizes().vec(), (std::vector<int64_t>{2, 2})) << how;
    EXPECT_NEAR(p[0][0].item<double>(), expect, 1e-5) << how;
    EXPECT_NEAR(p[1][0].item<double>(), softmax(1.5), 1e-5) << how;
  }
  // Multi-label max: per-class maximum of sigmoids, not renormalised.
  const auto m = train::predict_tracks(stub, inputs, chunk_recipe(4, 2, "max"), true, torch::kCPU);
  EXPECT_NEAR(m[0][0].item<double>(), 1 / (1 + std::exp(-7.5)), 1e-5);
  EXPECT_NEAR(m[0][1].item<double>(), 1 / (1 + std::exp(1.5)), 1e-5);
  // 5 windows in batches of 3: two forward calls per aggregation.
  stub.calls = 0;
  train::predict_tracks(stub, inputs, chunk_recipe(4, 2, "mean"), false, torch::kCPU);
  EXPECT_EQ(stub.calls, 2);
}

TEST(PredictTracks, HeadAndWholeTrackUnchanged) {
  StubImpl stub;
  std::mt19937_64 rng(0);
  const at::Tensor ramp = torch::arange(10, torch::kFloat).expand({2, 10});
  auto r = chunk_recipe(4, 2, "mean");
  r.eval_crop = "head";
  const auto head = train::prepare_input(ramp, r, false, rng);
  EXPECT_EQ(head.size(1), 4);
  const auto p = train::predict_tracks(stub, {head}, r, false, torch::kCPU);
  EXPECT_TRUE(
      torch::allclose(p, train::predict_probabilities(stub, {head}, false, torch::kCPU, 3)));
  r.eval_frames = 0;
  r.eval_crop = "chunks";
  EXPECT_EQ(train::prepare_input(ramp, r, false, rng).size(1), 10) << "eval_frames 0: whole track";
}

// predict_sources with several track workers (one intra-op thread each) gives
// the one-worker probabilities, in track order, for whole-track and chunked
// recipes; a worker's error reaches the caller; the thread count is restored.
TEST(PredictSources, TrackWorkersMatchOneWorker) {
  melclass::testing::TempDir dir("sources");
  std::vector<train::TrackSource> sources;
  torch::manual_seed(1);
  for (const int64_t t : {40, 300, 41, 97, 40, 250, 64}) {
    const auto file =
        dir / ("t" + std::to_string(t) + "-" + std::to_string(sources.size()) + ".npy");
    io::write_npy(file, torch::rand({1, 128, t}));
    sources.push_back({file, {}});
  }
  models::ModelOptions o;
  o.n_classes = 4;
  for (const std::string name : {"crnn", "tcnet"}) {
    torch::manual_seed(0);
    auto model = models::make_model(name, o);
    train::InputSpec spec;
    spec.recipe = models::model_spec(name).recipe;
    if (name == "tcnet") spec.recipe.eval_crop = "chunks", spec.recipe.eval_frames = 32;
    std::mt19937_64 rng(0);
    const int threads = at::get_num_threads();
    const auto one = train::predict_sources(*model, sources, spec, true, torch::kCPU, rng, 1);
    const auto three = train::predict_sources(*model, sources, spec, true, torch::kCPU, rng, 3);
    EXPECT_EQ(at::get_num_threads(), threads) << name;
    ASSERT_EQ(three.sizes().vec(), (std::vector<int64_t>{7, 4})) << name;
    EXPECT_TRUE(torch::allclose(one, three, 1e-5, 1e-6)) << name;
    EXPECT_FALSE(model->is_training()) << name;
  }
  auto model = models::make_model("crnn", o);
  train::InputSpec spec;
  spec.recipe = models::model_spec("crnn").recipe;
  sources[3].file = dir / "missing.npy";
  std::mt19937_64 rng(0);
  const std::string error = melclass::testing::error_of(
      [&] { train::predict_sources(*model, sources, spec, false, torch::kCPU, rng, 3); });
  EXPECT_NE(error.find("missing.npy"), std::string::npos) << error;
}

// InputSpec::bf16: forward passes under bf16 autocast on both paths (track
// workers and batched chunks) give float32 probabilities within bfloat16's
// precision of the float32 ones, same top class, and leave autocast off after.
TEST(PredictSources, Bf16AutocastStaysCloseToFloat32) {
  melclass::testing::TempDir dir("bf16");
  std::vector<train::TrackSource> sources;
  torch::manual_seed(2);
  for (const int64_t t : {300, 120, 64}) {
    const auto file = dir / ("t" + std::to_string(t) + ".npy");
    io::write_npy(file, torch::rand({1, 128, t}));
    sources.push_back({file, {}});
  }
  models::ModelOptions o;
  o.n_classes = 4;
  torch::manual_seed(0);
  auto model = models::make_model("tcnet", o);
  train::InputSpec spec;
  spec.recipe = models::model_spec("tcnet").recipe;
  spec.recipe.eval_crop = "chunks", spec.recipe.eval_frames = 32;
  for (const int workers : {1, 2}) {
    std::mt19937_64 rng(0);
    spec.bf16 = false;
    const auto fp32 =
        train::predict_sources(*model, sources, spec, false, torch::kCPU, rng, workers);
    spec.bf16 = true;
    const auto bf16 =
        train::predict_sources(*model, sources, spec, false, torch::kCPU, rng, workers);
    EXPECT_EQ(bf16.scalar_type(), at::kFloat);
    // Autocast is off again: a matmul stays float32 (under autocast it gives bfloat16).
    EXPECT_EQ(torch::mm(torch::ones({2, 2}), torch::ones({2, 2})).scalar_type(), at::kFloat);
    EXPECT_TRUE(torch::allclose(bf16, fp32, 0, 3e-2)) << (bf16 - fp32).abs().max();
    EXPECT_FALSE(torch::equal(bf16, fp32));  // it did run in bfloat16
    EXPECT_TRUE(torch::allclose(bf16.sum(1), torch::ones({3}), 0, 1e-5));
  }
}
