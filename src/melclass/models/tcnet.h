#pragma once
// Temporal-convolution residual network over mel bands as channels, after
// TC-ResNet (Choi et al. 2019, "Temporal Convolution for Real-time Keyword
// Spotting on Mobile Devices", Interspeech). 1D convolutions over time make it
// ~50x cheaper than a 2D CNN of similar depth, so it trains on 2 CPU cores in
// minutes, and global mean+max pooling lets it read a whole track at once.

#include <vector>

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "melclass/models/classifier.h"

namespace melclass::models {

/// Conv1d(k, stride s) -> BN -> ReLU -> Conv1d(k) -> BN, plus a 1x1 strided
/// projection shortcut, then ReLU. x: [B, Cin, T] -> [B, Cout, ceil(T / s)]
class TcBlockImpl : public torch::nn::Module {
 public:
  TcBlockImpl(int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride);
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::Conv1d conv1_{nullptr}, conv2_{nullptr}, shortcut_{nullptr};
  torch::nn::BatchNorm1d bn1_{nullptr}, bn2_{nullptr}, bn_shortcut_{nullptr};
};
TORCH_MODULE(TcBlock);

/// Input BN (per-band standardisation) -> Conv1d(n_mels, 96, 3) -> 3 TcBlocks
/// (96->128->160->192, stride 2, kernel 9) -> [mean_t, max_t] -> Dropout -> FC.
class TcNetImpl : public ClassifierImpl {
 public:
  explicit TcNetImpl(const ModelOptions& options);
  /// x: [B, n_mels, T] (any T >= 1) -> logits [B, C]
  torch::Tensor forward(torch::Tensor x) override;

 private:
  torch::nn::BatchNorm1d input_norm_{nullptr}, stem_bn_{nullptr};
  torch::nn::Conv1d stem_{nullptr};
  torch::nn::ModuleList blocks_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear head_{nullptr};
};
TORCH_MODULE(TcNet);

ModelSpec tcnet_spec();

}  // namespace melclass::models
