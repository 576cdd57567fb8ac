#pragma once
// Exponential moving average of model weights (Polyak & Juditsky 1992; as
// timm's ModelEmaV2): shadow = d * shadow + (1 - d) * weight after every step,
// with d warmed up as min(decay, (1 + step) / (10 + step)). Validation and the
// saved checkpoint use the averaged weights; BatchNorm statistics are the
// live model's.

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

namespace melclass::train {

class WeightEma {
 public:
  WeightEma(torch::nn::Module& model, double decay);
  /// After an optimizer step.
  void update(torch::nn::Module& model);
  /// Exchanges the model's parameters with the averaged ones; call again to undo.
  void swap(torch::nn::Module& model);

 private:
  double decay_;
  int64_t steps_ = 0;
  std::vector<at::Tensor> shadow_;
};

}  // namespace melclass::train
