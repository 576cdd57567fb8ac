#include "melclass/models/baseline.h"

#include <array>

#include <torch/nn/functional/activation.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/pooling.h>

#include "melclass/core/error.h"
#include "melclass/core/runtime.h"

namespace melclass::models {
namespace nn = torch::nn;

BaselineCnnImpl::BaselineCnnImpl(const ModelOptions& options) {
  validate(options, "baseline");
  check(options.n_mels >= 128, "model", "",
        "baseline: needs at least 128 mel bands (its frequency pools divide by 128)");
  constexpr std::array<int64_t, 5> kChannels = {64, 128, 256, 512, 1024};
  constexpr std::array<std::array<int64_t, 2>, 5> kPools = {
      {{2, 2}, {2, 4}, {2, 4}, {4, 4}, {4, 8}}};
  nn::Sequential seq;
  int64_t in = 1;
  for (size_t i = 0; i < kChannels.size(); ++i) {
    seq->push_back(nn::Conv2d(nn::Conv2dOptions(in, kChannels[i], 3).padding(1)));
    seq->push_back(nn::BatchNorm2d(kChannels[i]));
    seq->push_back(nn::ReLU());
    seq->push_back(nn::MaxPool2d(nn::MaxPool2dOptions({kPools[i][0], kPools[i][1]})));
    in = kChannels[i];
  }
  features_ = register_module("features", seq);
  fc1_ = register_module("fc1", nn::Linear(1024, 256));
  dropout_ = register_module("dropout", nn::Dropout(options.dropout));
  fc2_ = register_module("fc2", nn::Linear(256, options.n_classes));
  use_channels_last(*this);
}

torch::Tensor BaselineCnnImpl::forward(torch::Tensor x) {
  // The time pools (2 * 4 * 4 * 4 * 8) need 1024 frames: shorter input (a
  // whole short track, a short crop) is zero-padded, as the kit pads its
  // 1200-frame crops.
  constexpr int64_t kMinFrames = 1024;
  if (x.size(2) < kMinFrames) x = torch::constant_pad_nd(x, {0, kMinFrames - x.size(2)}, 0.0);
  x = x.unsqueeze(1).to(torch::kFloat);  // [B, 1, F, T]
  // features_: conv, batch norm, ReLU, pool per block. The first convolution
  // (one input channel, stride 1) stays float32 under bf16 autocast
  // (core/runtime.h, AutocastOff); its share of the multiply-adds is ~2%.
  auto layer = features_->begin();
  {
    const AutocastOff float32;
    x = layer->forward(x);
  }
  for (++layer; layer != features_->end(); ++layer) x = layer->forward(x);  // [B, 1024, F', T']
  x = x.amax({2, 3});                                                       // [B, 1024]
  x = dropout_(torch::relu(fc1_(x)));
  return fc2_(x);
}

ModelSpec baseline_spec() {
  ModelSpec spec;
  spec.name = "baseline";
  spec.description = "AI Rush 2020 kit baseline: 5-block 2D CNN on the first 1200 frames";
  spec.reference = "NAVER AI RUSH 2020 rush4/5/6 baseline (kit model.py / main.py)";
  Recipe& r = spec.recipe;
  r.compression = "log10_1p10";
  r.train_frames = 1200;
  r.train_crop = "head";
  r.eval_frames = 1200;
  r.eval_crop = "head";
  r.optimizer = "sgd";
  r.lr = 0.01;
  r.momentum = 0.9;
  r.nesterov = true;
  r.weight_decay = 1e-6;
  r.batch_size = 16;
  r.epochs = 20;
  r.scheduler = "plateau";
  r.plateau_factor = 0.2;
  r.plateau_patience = 5;
  r.dropout = 0.5;
  r.calibrate = false;  // faithful: plain sigmoid >= 0.5
  r.min_tags = 0;
  spec.make = [](const ModelOptions& o) -> std::shared_ptr<ClassifierImpl> {
    return std::make_shared<BaselineCnnImpl>(o);
  };
  return spec;
}

}  // namespace melclass::models
