#include "melclass/train/scoring.h"

#include <algorithm>

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

at::Tensor activate(const at::Tensor& logits, bool multi_label) {
  return multi_label ? torch::sigmoid(logits) : torch::softmax(logits, 1);
}

// Chunk results [K, C] of one track -> [C].
at::Tensor aggregate(const at::Tensor& logits, const std::string& how, bool multi_label) {
  if (how == "logit_mean") return activate(logits.mean(0, true), multi_label)[0];
  const at::Tensor p = activate(logits, multi_label);
  if (how == "mean") return p.mean(0);
  const at::Tensor m = std::get<0>(p.max(0));
  return multi_label ? m : m / m.sum();
}
}  // namespace

at::Tensor prepare_input(const at::Tensor& mel, const models::Recipe& r, bool training,
                         std::mt19937_64& rng, double gain) {
  at::Tensor x = data::compress(gain == 1.0 ? mel : mel * gain, r.compression);
  if (training) return data::crop_or_pad(x, r.train_frames, crop_mode(r.train_crop), rng);
  if (r.eval_frames == 0) return x;
  if (r.eval_crop == "chunks")
    return x.size(1) >= r.eval_frames ? x : data::crop_or_pad(x, r.eval_frames, data::CropMode::kHead, rng);
  return data::crop_or_pad(x, r.eval_frames, crop_mode(r.eval_crop), rng);
}

at::Tensor predict_logits(models::ClassifierImpl& model, const std::vector<at::Tensor>& inputs,
                          c10::Device device, int batch_size) {
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
    out.push_back(model.forward(torch::stack(group).to(device)).cpu());
    i = j;
  }
  return torch::cat(out);
}

at::Tensor predict_probabilities(models::ClassifierImpl& model, const std::vector<at::Tensor>& inputs,
                                 bool multi_label, c10::Device device, int batch_size) {
  return activate(predict_logits(model, inputs, device, batch_size), multi_label);
}

std::vector<int64_t> chunk_starts(int64_t length, int64_t frames, int64_t hop) {
  std::vector<int64_t> out{0};
  if (length <= frames) return out;
  hop = std::max<int64_t>(1, hop);
  for (int64_t s = hop; s + frames < length; s += hop) out.push_back(s);
  out.push_back(length - frames);
  return out;
}

at::Tensor predict_tracks(models::ClassifierImpl& model, const std::vector<at::Tensor>& inputs,
                          const models::Recipe& r, bool multi_label, c10::Device device) {
  if (r.eval_crop != "chunks" || r.eval_frames == 0)
    return predict_probabilities(model, inputs, multi_label, device, r.batch_size);
  const int64_t hop = r.eval_hop > 0 ? r.eval_hop : std::max<int64_t>(1, r.eval_frames / 2);
  std::vector<at::Tensor> windows;  // [F, eval_frames] each
  std::vector<int64_t> count;       // windows per track
  for (const auto& x : inputs) {
    const auto starts = chunk_starts(x.size(1), r.eval_frames, hop);
    for (int64_t s : starts) windows.push_back(x.narrow(1, s, r.eval_frames));
    count.push_back(static_cast<int64_t>(starts.size()));
  }
  const at::Tensor logits = predict_logits(model, windows, device, r.batch_size);  // [K, C]
  std::vector<at::Tensor> out;
  int64_t offset = 0;
  for (int64_t k : count) {
    out.push_back(aggregate(logits.narrow(0, offset, k), r.aggregate, multi_label));
    offset += k;
  }
  return torch::stack(out);
}

at::Tensor predict_files(models::ClassifierImpl& model,
                         const std::vector<std::filesystem::path>& files, int64_t n_mels,
                         const models::Recipe& recipe, bool multi_label, c10::Device device,
                         std::mt19937_64& rng) {
  constexpr size_t kChunk = 64;
  std::vector<at::Tensor> chunks;
  for (size_t start = 0; start < files.size(); start += kChunk) {
    std::vector<at::Tensor> inputs;
    for (size_t i = start; i < std::min(files.size(), start + kChunk); ++i)
      inputs.push_back(
          prepare_input(data::load_spectrogram(files[i], n_mels), recipe, false, rng));
    chunks.push_back(predict_tracks(model, inputs, recipe, multi_label, device));
  }
  return torch::cat(chunks);
}

}  // namespace melclass::train
