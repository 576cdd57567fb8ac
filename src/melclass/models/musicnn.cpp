#include "melclass/models/musicnn.h"

#include <algorithm>
#include <array>
#include <string>
#include <tuple>

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/padding.h>
#include <torch/nn/functional/pooling.h>

#include "melclass/core/error.h"

namespace melclass::models {
namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {
constexpr std::array<double, 2> kTimbralHeights = {0.9, 0.4};  // fraction of the bands
constexpr int64_t kTimbralFrames = 7;
constexpr int64_t kTimbralFilters = 32;                     // per shape
constexpr std::array<int64_t, 2> kTimbralStrides = {2, 4};  // over frequency
constexpr std::array<int64_t, 3> kTemporalFrames = {128, 64, 32};
constexpr int64_t kTemporalFilters = 16;  // per shape
// Temporal filters see ~16 sub-bands, each the mean of n_mels / 16 adjacent bands.
constexpr int64_t kSubBands = 16;
constexpr int64_t kMidFilters = 64;
constexpr int64_t kMidLayers = 3;
constexpr int64_t kMidKernel = 7;
constexpr int64_t kBackendUnits = 200;
constexpr int64_t kMinMels = 8;

// Conv1d output [B * P, C, T] for P positions per example -> ReLU -> BN -> max
// over the P positions -> [B, C, T]. BatchNorm1d over [B * P, C, T] has the
// statistics of a BatchNorm2d over [B, C, P, T].
torch::Tensor relu_bn_max(const torch::Tensor& y, nn::BatchNorm1d& bn, int64_t batch) {
  const torch::Tensor z = bn(torch::relu(y));
  return std::get<0>(z.view({batch, -1, z.size(1), z.size(2)}).max(1));
}
}  // namespace

MusicnnFrontEndImpl::MusicnnFrontEndImpl(int64_t n_mels) {
  for (size_t i = 0; i < kTimbralHeights.size(); ++i) {
    const int64_t height = std::max<int64_t>(1, static_cast<int64_t>(kTimbralHeights[i] * n_mels));
    const std::string id = std::to_string(i);
    heights_.push_back(height);
    timbral_.push_back(register_module(
        "timbral" + id, nn::Conv1d(nn::Conv1dOptions(height, kTimbralFilters, kTimbralFrames)
                                       .padding(kTimbralFrames / 2))));
    timbral_bn_.push_back(register_module("timbral_bn" + id, nn::BatchNorm1d(kTimbralFilters)));
    channels_ += kTimbralFilters;
  }
  band_group_ = std::max<int64_t>(1, n_mels / kSubBands);
  for (size_t i = 0; i < kTemporalFrames.size(); ++i) {
    const std::string id = std::to_string(i);
    temporal_.push_back(register_module(
        "temporal" + id, nn::Conv1d(nn::Conv1dOptions(1, kTemporalFilters, kTemporalFrames[i]))));
    temporal_bn_.push_back(register_module("temporal_bn" + id, nn::BatchNorm1d(kTemporalFilters)));
    channels_ += kTemporalFilters;
  }
}

torch::Tensor MusicnnFrontEndImpl::forward(torch::Tensor x) {
  const int64_t batch = x.size(0), frames = x.size(2);
  std::vector<torch::Tensor> maps;
  for (size_t i = 0; i < timbral_.size(); ++i) {
    // A (height x 7) filter at P frequency offsets = a Conv1d over time whose
    // input channels are the `height` bands of each offset: [B * P, height, T].
    const torch::Tensor windows = x.unfold(1, heights_[i], kTimbralStrides[i])  // [B, P, T, h]
                                      .transpose(2, 3)
                                      .reshape({-1, heights_[i], frames});
    maps.push_back(relu_bn_max(timbral_[i](windows), timbral_bn_[i], batch));  // [B, 32, T]
  }
  // Sub-bands [B * G, 1, T], G = ceil(n_mels / group); a short last group averages what it has.
  torch::Tensor sub = x;
  if (band_group_ > 1)
    sub = F::avg_pool2d(x.unsqueeze(1), F::AvgPool2dFuncOptions({band_group_, 1}).ceil_mode(true));
  sub = sub.reshape({-1, 1, frames});
  for (size_t i = 0; i < temporal_.size(); ++i) {
    // "same" padding, as PyTorch's: (k - 1) / 2 frames before, the rest after.
    const int64_t before = (kTemporalFrames[i] - 1) / 2;
    const int64_t after = kTemporalFrames[i] - 1 - before;
    const torch::Tensor padded = F::pad(sub, F::PadFuncOptions({before, after}));
    maps.push_back(relu_bn_max(temporal_[i](padded), temporal_bn_[i], batch));  // [B, 16, T]
  }
  return torch::cat(maps, 1);
}

MusicnnImpl::MusicnnImpl(const ModelOptions& options) {
  validate(options, "musicnn");
  check(options.n_mels >= kMinMels, "model", "",
        "musicnn: n_mels must be at least " + std::to_string(kMinMels));
  input_norm_ = register_module(
      "input_norm", nn::BatchNorm1d(nn::BatchNormOptions(options.n_mels).affine(false)));
  front_ = register_module("front", MusicnnFrontEnd(options.n_mels));
  mid_convs_ = register_module("mid_convs", nn::ModuleList());
  mid_bns_ = register_module("mid_bns", nn::ModuleList());
  int64_t in = front_->channels();
  for (int64_t i = 0; i < kMidLayers; ++i) {
    mid_convs_->push_back(
        nn::Conv1d(nn::Conv1dOptions(in, kMidFilters, kMidKernel).padding(kMidKernel / 2)));
    mid_bns_->push_back(nn::BatchNorm1d(kMidFilters));
    in = kMidFilters;
  }
  const int64_t pooled = 2 * (front_->channels() + kMidLayers * kMidFilters);
  pool_bn_ = register_module("pool_bn", nn::BatchNorm1d(pooled));
  dropout_ = register_module("dropout", nn::Dropout(options.dropout));
  dense_ = register_module("dense", nn::Linear(pooled, kBackendUnits));
  dense_bn_ = register_module("dense_bn", nn::BatchNorm1d(kBackendUnits));
  head_ = register_module("head", nn::Linear(kBackendUnits, options.n_classes));
}

torch::Tensor MusicnnImpl::forward(torch::Tensor x) {
  torch::Tensor front = front_(input_norm_(x));  // [B, 112, T]
  std::vector<torch::Tensor> features{front};
  torch::Tensor h = front;
  for (size_t i = 0; i < mid_convs_->size(); ++i) {
    torch::Tensor y = mid_convs_[i]->as<nn::Conv1d>()->forward(h);
    y = mid_bns_[i]->as<nn::BatchNorm1d>()->forward(torch::relu(y));  // [B, 64, T]
    h = i == 0 ? y : y + h;  // residual from the 2nd layer on
    features.push_back(h);
  }
  const torch::Tensor all = torch::cat(features, 1);            // [B, 304, T]
  torch::Tensor z = torch::cat({all.amax(2), all.mean(2)}, 1);  // [B, 608]
  z = dropout_(pool_bn_(z));
  z = dropout_(dense_bn_(torch::relu(dense_(z))));  // [B, 200]
  return head_(z);
}

ModelSpec musicnn_spec() {
  ModelSpec spec;
  spec.name = "musicnn";
  spec.description =
      "musicnn-style CNN: timbral (7 x 90%/40% bands) and temporal (1 x 128/64/32 frames) "
      "front end, residual 1D mid-end, mean+max pooling; 256-frame chunks, scores averaged";
  spec.reference =
      "Pons & Serra 2019, musicnn: pre-trained convolutional neural networks for music audio "
      "tagging; Pons et al. 2018, End-to-end learning for music audio tagging at scale (ISMIR)";
  // musicnn is trained and applied on short patches and averages the patch
  // predictions; the max pooling in its back end depends on the input length,
  // so chunks of the training length keep the pooled statistics in range.
  // Its back-end dropout is 0.5, as the recipe's.
  set_short_chunk_recipe(spec.recipe);
  spec.make = [](const ModelOptions& o) -> std::shared_ptr<ClassifierImpl> {
    return std::make_shared<MusicnnImpl>(o);
  };
  return spec;
}

}  // namespace melclass::models
