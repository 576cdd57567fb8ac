#include "melclass/models/tcnet.h"

#include <torch/nn/functional/activation.h>

namespace melclass::models {
namespace nn = torch::nn;

TcBlockImpl::TcBlockImpl(int64_t in_channels, int64_t out_channels, int64_t kernel,
                         int64_t stride) {
  conv1_ = register_module("conv1", nn::Conv1d(nn::Conv1dOptions(in_channels, out_channels, kernel)
                                                   .stride(stride)
                                                   .padding(kernel / 2)
                                                   .bias(false)));
  bn1_ = register_module("bn1", nn::BatchNorm1d(out_channels));
  conv2_ = register_module(
      "conv2",
      nn::Conv1d(
          nn::Conv1dOptions(out_channels, out_channels, kernel).padding(kernel / 2).bias(false)));
  bn2_ = register_module("bn2", nn::BatchNorm1d(out_channels));
  shortcut_ = register_module(
      "shortcut",
      nn::Conv1d(nn::Conv1dOptions(in_channels, out_channels, 1).stride(stride).bias(false)));
  bn_shortcut_ = register_module("bn_shortcut", nn::BatchNorm1d(out_channels));
}

torch::Tensor TcBlockImpl::forward(torch::Tensor x) {
  torch::Tensor y = torch::relu(bn1_(conv1_(x)));
  y = bn2_(conv2_(y));
  return torch::relu(y + bn_shortcut_(shortcut_(x)));
}

TcNetImpl::TcNetImpl(const ModelOptions& options) {
  validate(options, "tcnet");
  constexpr int64_t kStem = 96;
  const std::vector<int64_t> widths = {128, 160, 192};
  input_norm_ = register_module("input_norm", nn::BatchNorm1d(options.n_mels));
  stem_ = register_module(
      "stem", nn::Conv1d(nn::Conv1dOptions(options.n_mels, kStem, 3).padding(1).bias(false)));
  stem_bn_ = register_module("stem_bn", nn::BatchNorm1d(kStem));
  blocks_ = register_module("blocks", nn::ModuleList());
  int64_t in = kStem;
  for (int64_t w : widths) {
    blocks_->push_back(TcBlock(in, w, 9, 2));
    in = w;
  }
  dropout_ = register_module("dropout", nn::Dropout(options.dropout));
  head_ = register_module("head", nn::Linear(2 * in, options.n_classes));
}

torch::Tensor TcNetImpl::forward(torch::Tensor x) {
  x = torch::relu(stem_bn_(stem_(input_norm_(x))));
  for (const auto& block : *blocks_) x = block->as<TcBlock>()->forward(x);
  x = torch::cat({x.mean(2), x.amax(2)}, 1);  // [B, 2 * C']
  return head_(dropout_(x));
}

ModelSpec tcnet_spec() {
  ModelSpec spec;
  spec.name = "tcnet";
  spec.description = "temporal-convolution ResNet on mel bands, whole-track inference";
  spec.reference = "Choi et al. 2019, Temporal Convolution for Real-time Keyword Spotting";
  Recipe& r = spec.recipe;
  r.compression = "log10_1p10";
  r.train_frames = 256;
  r.train_crop = "random";
  r.eval_frames = 0;
  r.optimizer = "adamw";
  r.lr = 2e-3;
  r.weight_decay = 1e-2;
  r.batch_size = 16;
  r.epochs = 40;
  r.scheduler = "cosine";
  r.dropout = 0.3;
  // Augmentation (Park et al. 2019 masks, Zhang et al. 2018 mixup, random gain,
  // Szegedy et al. 2016 label smoothing): chosen on real4q/station validation
  // accuracy, 2 seeds (README, "Figures measured").
  set_default_augmentation(r);
  spec.make = [](const ModelOptions& o) -> std::shared_ptr<ClassifierImpl> {
    return std::make_shared<TcNetImpl>(o);
  };
  return spec;
}

}  // namespace melclass::models
