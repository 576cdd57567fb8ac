#include "melclass/train/scoring.h"

#include <torch/nn/functional/activation.h>
#include <torch/types.h>
#include <torch/utils.h>

#include "melclass/data/spectrogram.h"

namespace melclass::train {
namespace {
data::CropMode crop_mode(const std::string& name) {
  if (name == "random") return data::CropMode::kRandom;
  if (name == "center") return data::CropMode::kCenter;
  return data::CropMode::kHead;
}
}  // namespace

at::Tensor prepare_input(const at::Tensor& mel, const models::Recipe& r, bool training,
                         std::mt19937_64& rng) {
  at::Tensor x = data::compress(mel, r.compression);
  if (training) return data::crop_or_pad(x, r.train_frames, crop_mode(r.train_crop), rng);
  if (r.eval_frames == 0) return x;
  return data::crop_or_pad(x, r.eval_frames, crop_mode(r.eval_crop), rng);
}

at::Tensor predict_probabilities(models::ClassifierImpl& model, const std::vector<at::Tensor>& inputs,
                                 bool multi_label, c10::Device device, int batch_size) {
  torch::NoGradGuard no_grad;
  model.eval();
  std::vector<at::Tensor> out;
  size_t i = 0;
  while (i < inputs.size()) {
    size_t j = i + 1;
    while (j < inputs.size() && j - i < static_cast<size_t>(batch_size) &&
           inputs[j].sizes() == inputs[i].sizes())
      ++j;
    std::vector<at::Tensor> group(inputs.begin() + static_cast<std::ptrdiff_t>(i),
                                  inputs.begin() + static_cast<std::ptrdiff_t>(j));
    at::Tensor logits = model.forward(torch::stack(group).to(device));
    out.push_back((multi_label ? torch::sigmoid(logits) : torch::softmax(logits, 1)).cpu());
    i = j;
  }
  return torch::cat(out);
}

}  // namespace melclass::train
