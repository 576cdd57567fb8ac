// models: text classifier (fastText-style) and audio+text late fusion.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/testing.h"
#include "melclass/models/registry.h"
#include "melclass/models/text_model.h"
#include "melclass/text/featurizer.h"

using namespace melclass::models;

namespace {

ModelOptions small_options() {
  ModelOptions o;
  o.n_classes = 3;
  o.n_mels = 16;
  o.text_buckets = 500;
  o.text_dim = 8;
  o.dropout = 0.5;
  return o;
}

// Three tracks' bags: ids < 500.
ModelInput text_input() {
  auto [ids, offsets] = melclass::text::pack_bags({{1, 2, 3}, {499}, {4, 4, 5, 6}});
  ModelInput in;
  in.text_ids = ids;
  in.text_offsets = offsets;
  return in;
}

// A minimal audio model: mean over time -> linear.
class MeanAudioImpl : public ClassifierImpl {
 public:
  explicit MeanAudioImpl(const ModelOptions& o)
      : head_(register_module("head", torch::nn::Linear(o.n_mels, o.n_classes))) {}
  torch::Tensor forward(torch::Tensor x) override { return head_(x.mean(2)); }

 private:
  torch::nn::Linear head_;
};

class TextModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::set_num_threads(2);
    torch::manual_seed(0);
  }
};

}  // namespace

TEST_F(TextModelTest, SpecIsRegistered) {
  const ModelSpec& spec = model_spec("text");
  EXPECT_EQ(spec.name, "text");
  EXPECT_EQ(spec.inputs, Inputs::kText);
  EXPECT_FALSE(spec.description.empty());
  EXPECT_FALSE(spec.reference.empty());
  EXPECT_EQ(spec.recipe.mixup_alpha, 0);
  EXPECT_EQ(spec.recipe.spec_time_masks, 0);
  auto model = make_model("text", small_options());
  EXPECT_NE(std::dynamic_pointer_cast<TextClassifierImpl>(model), nullptr);
}

TEST_F(TextModelTest, ForwardShapeAndGradients) {
  TextClassifier model(small_options());
  const ModelInput in = text_input();
  const torch::Tensor logits = model->forward_input(in);
  EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{3, 3}));
  logits.sum().backward();
  const auto params = model->named_parameters();
  const torch::Tensor emb_grad = params["encoder.embedding.weight"].grad();
  ASSERT_TRUE(emb_grad.defined());
  EXPECT_EQ(emb_grad.sizes(), (std::vector<int64_t>{500, 8}));
  // Only the rows of ids that occur receive gradient.
  const auto touched = emb_grad.abs().sum(1).gt(0).nonzero().flatten();
  EXPECT_TRUE(torch::equal(touched, torch::tensor({1, 2, 3, 4, 5, 6, 499}, torch::kLong)));
  EXPECT_GT(params["head.weight"].grad().abs().sum().item<double>(), 0);
}

TEST_F(TextModelTest, FastTextInitialisation) {
  TextClassifier model(small_options());
  const torch::Tensor w = model->named_parameters()["encoder.embedding.weight"];
  EXPECT_LE(w.abs().max().item<double>(), 1.0 / 8);  // text_dim 8
  EXPECT_GT(w.abs().max().item<double>(), 0.5 / 8);
  EXPECT_EQ(w[0].abs().sum().item<double>(), 0);  // padding row
}

TEST_F(TextModelTest, EmptyBagGivesBiasOnly) {
  TextClassifier model(small_options());
  model->eval();
  auto [ids, offsets] = melclass::text::pack_bags({{}, {7}});
  ModelInput in;
  in.text_ids = ids;
  in.text_offsets = offsets;
  const torch::Tensor logits = model->forward_input(in);
  EXPECT_TRUE(torch::allclose(logits[0], model->named_parameters()["head.bias"]));
}

TEST_F(TextModelTest, AudioInputThrows) {
  TextClassifier model(small_options());
  EXPECT_MELCLASS_ERROR(model->forward(torch::rand({2, 16, 10})),
                        "model: ", "text: needs metadata input");
  ModelInput audio_only;
  audio_only.mel = torch::rand({2, 16, 10});
  EXPECT_MELCLASS_ERROR(model->forward_input(audio_only), "text: needs metadata input");
  ModelInput bad = text_input();
  bad.text_ids = bad.text_ids.to(torch::kFloat);
  EXPECT_MELCLASS_ERROR(model->forward_input(bad), "int64");
}

TEST_F(TextModelTest, InvalidOptionsThrow) {
  ModelOptions o = small_options();
  o.text_buckets = 1;
  EXPECT_MELCLASS_ERROR(TextClassifier{o}, "text_buckets");
  o = small_options();
  o.text_dim = -1;
  EXPECT_MELCLASS_ERROR(TextClassifier{o}, "text_dim");
  o = small_options();
  o.n_classes = 0;
  EXPECT_MELCLASS_ERROR(TextClassifier{o}, "n_classes");
}

TEST_F(TextModelTest, AudioTextAddsLogits) {
  const ModelOptions o = small_options();
  auto audio = std::make_shared<MeanAudioImpl>(o);
  auto fused = with_text(audio, o);
  fused->eval();
  ModelInput in = text_input();
  in.mel = torch::rand({3, 16, 40});
  const torch::Tensor out = fused->forward_input(in);
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{3, 3}));

  auto params = fused->named_parameters();
  EXPECT_TRUE(params.contains("audio.head.weight"));  // the audio model nests under "audio."
  const torch::Tensor w = params["text_encoder.embedding.weight"];
  auto mean_of = [&](int64_t from, int64_t to) {  // bags {1, 2, 3}, {499}, {4, 4, 5, 6}
    return w.index_select(0, in.text_ids.slice(0, from, to)).mean(0);
  };
  const torch::Tensor bags = torch::stack({mean_of(0, 3), mean_of(3, 4), mean_of(4, 8)});
  const torch::Tensor text_logits =
      torch::linear(bags, params["text_head.weight"], params["text_head.bias"]);
  const torch::Tensor audio_logits = audio->forward(in.mel);
  EXPECT_TRUE(torch::allclose(out, audio_logits + text_logits, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(fused->forward(in.mel), audio_logits));

  // Both branches are trained jointly.
  fused->train();
  fused->forward_input(in).sum().backward();
  EXPECT_TRUE(params["audio.head.weight"].grad().defined());
  EXPECT_TRUE(params["text_head.weight"].grad().defined());
  ModelInput no_mel = text_input();
  EXPECT_MELCLASS_ERROR(fused->forward_input(no_mel), "needs a mel spectrogram");
}

TEST_F(TextModelTest, LinearFormIsLogisticRegressionOnMeanFeatures) {
  ModelOptions o = small_options();
  o.text_dim = 0;
  auto model = make_model("text", o);
  // One weight per (bucket, class) plus a bias; all start at zero.
  int64_t count = 0;
  for (const auto& p : model->parameters()) count += p.numel();
  EXPECT_EQ(count, 500 * 3 + 3);
  auto params = model->named_parameters();
  {
    torch::NoGradGuard no_grad;
    params["encoder.embedding.weight"].normal_();
    params["encoder.embedding.weight"][0].zero_();  // padding row
    params["bias"].normal_();
  }
  model->eval();
  const auto got = model->forward_input(text_input());
  const auto w = params["encoder.embedding.weight"];
  const std::vector<std::vector<int64_t>> bags = {{1, 2, 3}, {499}, {4, 4, 5, 6}};
  for (size_t b = 0; b < bags.size(); ++b) {
    auto want = params["bias"].clone();
    for (int64_t id : bags[b]) want += w[id] / static_cast<double>(bags[b].size());
    EXPECT_TRUE(torch::allclose(got[static_cast<int64_t>(b)], want, 1e-5, 1e-6)) << b;
  }
  // Fusion needs an embedding width.
  EXPECT_MELCLASS_ERROR(with_text(make_model("stats", o), o), "text_dim must be positive");
}
