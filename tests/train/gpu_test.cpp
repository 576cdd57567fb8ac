// GPU checks (label "gpu"): skipped where LibTorch has no CUDA device.
// The default model must give the same outputs on CUDA as on the CPU, and a
// training step must run there.

#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/nn/functional/loss.h>
#include <torch/optim/adamw.h>
#include <torch/types.h>

#include "melclass/models/registry.h"

namespace {

TEST(Gpu, DefaultModelMatchesCpuAndTrains) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  torch::manual_seed(0);
  melclass::models::ModelOptions o;
  o.n_classes = 4;
  auto model = melclass::models::make_model(melclass::models::kDefaultModel, o);
  model->eval();
  const torch::Tensor x = torch::rand({3, 128, 300});
  const torch::Tensor cpu = model->forward(x);
  model->to(torch::kCUDA);
  const torch::Tensor gpu = model->forward(x.to(torch::kCUDA)).cpu();
  EXPECT_TRUE(torch::allclose(cpu, gpu, 1e-3, 1e-3));
  model->train();
  torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(1e-3));
  const torch::Tensor y = torch::tensor({0, 1, 2}, torch::kLong).to(torch::kCUDA);
  const torch::Tensor loss =
      torch::nn::functional::cross_entropy(model->forward(x.to(torch::kCUDA)), y);
  loss.backward();
  opt.step();
  EXPECT_TRUE(std::isfinite(loss.item<double>()));
}

}  // namespace
