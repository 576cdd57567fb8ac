// models: registry, baseline CNN, TC-ResNet (other audio models: audio_models_test.cpp).

#include <algorithm>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/testing.h"
#include "melclass/core/runtime.h"
#include "melclass/models/baseline.h"
#include "melclass/models/registry.h"
#include "melclass/models/tcnet.h"

using namespace melclass::models;

namespace {

int64_t parameter_count(torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

ModelOptions options(int64_t classes, int64_t n_mels = 128) {
  ModelOptions o;
  o.n_classes = classes;
  o.n_mels = n_mels;
  return o;
}

class ModelsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::set_num_threads(2);
    torch::manual_seed(0);
  }
};

}  // namespace

TEST_F(ModelsTest, RegistryNames) {
  const auto names = model_names();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  for (const std::string n : {"baseline", "crnn", "musicnn", "shortres", "stats", "tcnet"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  EXPECT_NE(std::find(names.begin(), names.end(), kDefaultModel), names.end());
  for (const auto& n : names) {
    const ModelSpec& s = model_spec(n);
    EXPECT_EQ(s.name, n);
    EXPECT_FALSE(s.description.empty());
    EXPECT_FALSE(s.reference.empty());
    EXPECT_TRUE(static_cast<bool>(s.make));
  }
}

// The kit's pools need 1024 frames: a short track or crop is zero-padded, and
// fewer than 128 bands is refused up front (not a LibTorch error mid-run).
TEST_F(ModelsTest, BaselineTakesShortInput) {
  auto model = make_model("baseline", options(4));
  model->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor x = torch::rand({2, 128, 64});
  const torch::Tensor y = model->forward(x);
  EXPECT_EQ(y.sizes().vec(), (std::vector<int64_t>{2, 4}));
  EXPECT_TRUE(torch::equal(y, model->forward(torch::constant_pad_nd(x, {0, 1024 - 64}))));
  EXPECT_MELCLASS_ERROR(make_model("baseline", options(4, 64)), "at least 128 mel bands");
}

TEST_F(ModelsTest, UnknownModelListsKnownNames) {
  EXPECT_MELCLASS_ERROR(model_spec("resnet50"), "model: ", "unknown model 'resnet50'",
                        "known: baseline, crnn, musicnn, shortres, stats, stats_ext, tcnet");
  EXPECT_MELCLASS_ERROR(make_model("", options(4)), "unknown model ''", "baseline", "tcnet");
}

TEST_F(ModelsTest, InvalidOptionsThrow) {
  for (const std::string name : {"baseline", "tcnet"}) {
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
}

TEST_F(ModelsTest, RecipesMatchTheirModels) {
  const Recipe& b = model_spec("baseline").recipe;
  EXPECT_EQ(b.train_frames, 1200);  // the kit's first 1200 frames
  EXPECT_EQ(b.train_crop, "head");
  EXPECT_EQ(b.eval_frames, 1200);
  EXPECT_EQ(b.optimizer, "sgd");
  EXPECT_EQ(b.compression, "log10_1p10");
  const Recipe& t = model_spec("tcnet").recipe;
  EXPECT_EQ(t.eval_frames, 0);  // whole track
  EXPECT_EQ(t.train_crop, "random");
  EXPECT_EQ(t.optimizer, "adamw");
}

TEST_F(ModelsTest, BaselineParameterCount) {
  // Conv2d(in, out, 3x3) with bias: 9 * in * out + out.
  //   1 -> 64:       9 * 1 * 64 + 64         =     640
  //   64 -> 128:     9 * 64 * 128 + 128      =  73,856
  //   128 -> 256:    9 * 128 * 256 + 256     = 295,168
  //   256 -> 512:    9 * 256 * 512 + 512     = 1,180,160
  //   512 -> 1024:   9 * 512 * 1024 + 1024   = 4,719,616   convs: 6,269,440
  // BatchNorm2d weight + bias: 2 * (64 + 128 + 256 + 512 + 1024) = 3,968
  // fc1 1024 -> 256: 1024 * 256 + 256 = 262,400
  // fc2 256 -> C: 257 * C             (C = 4: 1,028; C = 100: 25,700)
  const int64_t fixed = 6269440 + 3968 + 262400;
  auto four = make_model("baseline", options(4));
  EXPECT_EQ(parameter_count(*four), fixed + 1028);  // 6,536,836
  auto hundred = make_model("baseline", options(100));
  EXPECT_EQ(parameter_count(*hundred), fixed + 25700);
  EXPECT_NE(std::dynamic_pointer_cast<BaselineCnnImpl>(four), nullptr);
}

TEST_F(ModelsTest, BaselineForwardShape) {
  torch::NoGradGuard no_grad;
  auto model = make_model("baseline", options(7));
  model->eval();
  const auto x = torch::rand({2, 128, 1200});
  const auto y = model->forward(x);
  EXPECT_EQ(y.sizes().vec(), (std::vector<int64_t>{2, 7}));
  EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
  EXPECT_TRUE(torch::equal(model->forward(x), y)) << "eval mode must be deterministic";
  // Samples are independent in eval mode: the second row alone gives the same logits.
  EXPECT_TRUE(torch::allclose(model->forward(x.narrow(0, 1, 1)), y.narrow(0, 1, 1), 1e-4, 1e-5));
}

// Under bf16 autocast a training step finishes with finite gradients. The
// first convolution runs in float32 (AutocastOff): in bf16 its weight gradient
// alone took oneDNN 2.6 minutes, past this test's timeout.
TEST_F(ModelsTest, BaselineTrainsUnderBf16Autocast) {
  auto model = make_model("baseline", options(3));
  model->train();
  const auto x = torch::rand({2, 128, 1024});
  torch::Tensor y;
  {
    melclass::AutocastGuard bf16(torch::kCPU, true);
    y = model->forward(x);
  }
  EXPECT_EQ(y.sizes().vec(), (std::vector<int64_t>{2, 3}));
  y.to(torch::kFloat).pow(2).sum().backward();
  for (const auto& p : model->named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    EXPECT_TRUE(torch::isfinite(p.value().grad()).all().item<bool>()) << p.key();
  }
  EXPECT_GT(model->named_parameters()["features.0.weight"].grad().abs().sum().item<double>(), 0);
}

TEST_F(ModelsTest, TcNetParameterCount) {
  // input BN(128): 256; stem Conv1d(128 -> 96, k3, no bias): 36,864; stem BN: 192
  // TcBlock(in, out, k9) = conv1 9*in*out + conv2 9*out*out + shortcut in*out + 3 BN * 2*out
  //   96 -> 128:  110,592 + 147,456 + 12,288 + 768   = 271,104
  //   128 -> 160: 184,320 + 230,400 + 20,480 + 960   = 436,160
  //   160 -> 192: 276,480 + 331,776 + 30,720 + 1,152 = 640,128
  // head Linear(2 * 192 -> C): 385 * C (C = 4: 1,540)
  const int64_t fixed = 256 + 36864 + 192 + 271104 + 436160 + 640128;
  EXPECT_EQ(parameter_count(*make_model("tcnet", options(4))), fixed + 1540);  // 1,386,244
  EXPECT_EQ(parameter_count(*make_model("tcnet", options(4, 64))),
            fixed - 128 - 96 * 64 * 3 + 1540);  // input BN 64 bands, stem 64 -> 96
}

TEST_F(ModelsTest, TcNetAnyLength) {
  auto model = make_model("tcnet", options(5));
  for (const int64_t t : {1, 2, 3, 17, 256, 3000}) {
    SCOPED_TRACE(t);
    {
      torch::NoGradGuard no_grad;
      model->eval();
      const auto y = model->forward(torch::rand({1, 128, t}));
      EXPECT_EQ(y.sizes().vec(), (std::vector<int64_t>{1, 5}));
      EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
    }
    model->train();
    const auto y = model->forward(torch::rand({2, 128, t}));
    EXPECT_EQ(y.sizes().vec(), (std::vector<int64_t>{2, 5}));
    EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
  }
}

TEST_F(ModelsTest, TcNetTrainsOneStep) {
  auto model = make_model("tcnet", options(3));
  model->train();
  torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(1e-2));
  const auto x = torch::rand({4, 128, 32});
  const auto y = torch::tensor({0, 1, 2, 1}, torch::kLong);
  const auto before = model->parameters()[1].clone();
  auto loss = torch::nn::functional::cross_entropy(model->forward(x), y);
  loss.backward();
  for (const auto& p : model->parameters())
    EXPECT_TRUE(p.grad().defined()) << "a parameter got no gradient";
  opt.step();
  EXPECT_FALSE(torch::equal(model->parameters()[1], before));
}

// The 2D CNNs keep their convolution weights channels-last; the layout changes
// no value: the same weights stored contiguously give the same logits.
TEST_F(ModelsTest, ChannelsLastWeightsSameLogits) {
  for (const std::string name : {"baseline", "crnn", "shortres"}) {
    torch::manual_seed(0);
    ModelOptions o;
    o.n_classes = 5;
    auto model = make_model(name, o);
    torch::manual_seed(0);
    auto plain = make_model(name, o);
    int64_t convs = 0;
    for (auto& p : model->parameters()) {
      if (p.dim() != 4) continue;
      ++convs;
      EXPECT_TRUE(p.is_contiguous(at::MemoryFormat::ChannelsLast)) << name;
      EXPECT_EQ(p.stride(1), 1) << name << ": NHWC strides, also with one input channel";
    }
    EXPECT_GT(convs, 0) << name;
    {
      torch::NoGradGuard no_grad;
      for (auto& p : plain->parameters()) p.set_data(p.contiguous());
    }
    model->eval(), plain->eval();
    torch::NoGradGuard no_grad;
    const auto x = torch::rand({2, 128, name == "baseline" ? 1024 : 96});
    const auto a = model->forward(x), b = plain->forward(x);
    EXPECT_TRUE(torch::allclose(a, b, 1e-4, 1e-5))
        << name << ": " << (a - b).abs().max().item<float>();
  }
}
