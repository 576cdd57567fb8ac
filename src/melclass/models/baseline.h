#pragma once
// The AI Rush 2020 rush4/5/6 kit's baseline: a 5-block 2D CNN over the first
// 1200 frames of log10(1 + 10 mel).

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "melclass/models/classifier.h"

namespace melclass::models {

/// 5 x [Conv 3x3 (pad 1) -> BatchNorm -> ReLU -> MaxPool] with channels
/// 64/128/256/512/1024 and pools (2,2),(2,4),(2,4),(4,4),(4,8) over
/// (frequency, time), then FC 1024 -> 256 -> ReLU -> Dropout -> classes.
/// With 128 bands and 1200 frames the last block is [B, 1024, 1, 1]; a global
/// max over what remains keeps other lengths working (identity at 1200).
class BaselineCnnImpl : public ClassifierImpl {
 public:
  explicit BaselineCnnImpl(const ModelOptions& options);
  /// x: [B, 128, T] (the kit: T = 1200; T < 1024 is zero-padded) -> logits [B, C]
  torch::Tensor forward(torch::Tensor x) override;

 private:
  torch::nn::Sequential features_{nullptr};
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(BaselineCnn);

ModelSpec baseline_spec();

}  // namespace melclass::models
