#include "melclass/train/ema.h"

#include <algorithm>

#include <torch/types.h>
#include <torch/utils.h>

#include "melclass/core/error.h"

namespace melclass::train {

WeightEma::WeightEma(torch::nn::Module& model, double decay) : decay_(decay) {
  check(decay > 0 && decay < 1, "ema", "", "decay must be in (0, 1)");
  torch::NoGradGuard no_grad;
  for (const auto& p : model.parameters()) shadow_.push_back(p.detach().clone());
}

void WeightEma::update(torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  const double d = std::min(decay_, (1.0 + steps_) / (10.0 + steps_));
  ++steps_;
  const auto params = model.parameters();
  for (size_t i = 0; i < params.size(); ++i) shadow_[i].mul_(d).add_(params[i].detach(), 1 - d);
}

void WeightEma::swap(torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  auto params = model.parameters();
  for (size_t i = 0; i < params.size(); ++i) {
    const at::Tensor live = params[i].detach().clone();
    params[i].copy_(shadow_[i]);
    shadow_[i].copy_(live);
  }
}

}  // namespace melclass::train
