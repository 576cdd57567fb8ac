#include "melclass/models/short_res.h"

#include <array>

#include <torch/nn/functional/activation.h>

namespace melclass::models {
namespace nn = torch::nn;

namespace {
nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}
}  // namespace

ResBlock2dImpl::ResBlock2dImpl(int64_t in_channels, int64_t out_channels) {
  conv1_ = register_module("conv1", conv3x3(in_channels, out_channels, 2));
  bn1_ = register_module("bn1", nn::BatchNorm2d(out_channels));
  conv2_ = register_module("conv2", conv3x3(out_channels, out_channels, 1));
  bn2_ = register_module("bn2", nn::BatchNorm2d(out_channels));
  shortcut_ = register_module("shortcut", conv3x3(in_channels, out_channels, 2));
  bn_shortcut_ = register_module("bn_shortcut", nn::BatchNorm2d(out_channels));
}

torch::Tensor ResBlock2dImpl::forward(torch::Tensor x) {
  torch::Tensor y = torch::relu(bn1_(conv1_(x)));
  y = bn2_(conv2_(y));
  return torch::relu(y + bn_shortcut_(shortcut_(x)));
}

ShortResImpl::ShortResImpl(const ModelOptions& options) {
  validate(options, "shortres");
  constexpr std::array<int64_t, 7> kWidths = {32, 32, 64, 64, 128, 128, 128};
  input_norm_ = register_module(
      "input_norm", nn::BatchNorm1d(nn::BatchNormOptions(options.n_mels).affine(false)));
  blocks_ = register_module("blocks", nn::ModuleList());
  int64_t in = 1;
  for (int64_t w : kWidths) {
    blocks_->push_back(ResBlock2d(in, w));
    in = w;
  }
  dense_ = register_module("dense", nn::Linear(in, in));
  dense_bn_ = register_module("dense_bn", nn::BatchNorm1d(in));
  dropout_ = register_module("dropout", nn::Dropout(options.dropout));
  head_ = register_module("head", nn::Linear(in, options.n_classes));
  use_channels_last(*this);
}

torch::Tensor ShortResImpl::forward(torch::Tensor x) {
  x = input_norm_(x).unsqueeze(1);  // [B, 1, F, T]
  for (const auto& block : *blocks_) x = block->as<ResBlock2d>()->forward(x);
  x = x.amax({2, 3});  // [B, 128]: global max over the remaining (F', T')
  x = dropout_(torch::relu(dense_bn_(dense_(x))));
  return head_(x);
}

ModelSpec shortres_spec() {
  ModelSpec spec;
  spec.name = "shortres";
  spec.description =
      "short-chunk 2D residual CNN (7 strided blocks, 32-128 channels) on 256-frame chunks, "
      "chunk scores averaged per track";
  spec.reference =
      "Won et al. 2020, Evaluation of CNN-based automatic music tagging models (SMC), "
      "ShortChunkCNN_Res";
  // Trained on chunks, scored on chunks of the same length (the paper's
  // short-chunk inference: average of the chunk predictions); the paper's
  // dense dropout is 0.5, as the recipe's.
  set_short_chunk_recipe(spec.recipe);
  spec.make = [](const ModelOptions& o) -> std::shared_ptr<ClassifierImpl> {
    return std::make_shared<ShortResImpl>(o);
  };
  return spec;
}

}  // namespace melclass::models
