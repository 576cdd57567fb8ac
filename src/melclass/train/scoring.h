#pragma once
// Turning spectrograms into model input and model output into probabilities;
// shared by validation during training and by `predict`.

#include <random>
#include <vector>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include "melclass/models/classifier.h"

namespace melclass::train {

/// mel [F, T] power -> compressed and cut per the recipe: [F, train_frames] when
/// training, [F, eval_frames] or the whole [F, T] (eval_frames == 0) otherwise.
at::Tensor prepare_input(const at::Tensor& mel, const models::Recipe& recipe, bool training,
                         std::mt19937_64& rng);

/// inputs: prepared [F, L_i] tensors -> probabilities [N, C] on the CPU
/// (softmax for single-label, sigmoid for multi-label). Consecutive inputs of
/// equal length are batched up to `batch_size`. Runs in eval mode, no grad.
at::Tensor predict_probabilities(models::ClassifierImpl& model, const std::vector<at::Tensor>& inputs,
                                 bool multi_label, c10::Device device, int batch_size);

}  // namespace melclass::train
