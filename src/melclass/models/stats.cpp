#include "melclass/models/stats.h"

namespace melclass::models {
namespace nn = torch::nn;

torch::Tensor pooled_stats(const torch::Tensor& x) {
  const int64_t t = x.size(2);
  const torch::Tensor mean = x.mean(2);                                       // [B, F]
  const torch::Tensor std = (x - mean.unsqueeze(2)).square().mean(2).sqrt();  // [B, F]
  const torch::Tensor flux = t > 1 ? (x.narrow(2, 1, t - 1) - x.narrow(2, 0, t - 1)).abs().mean(2)
                                   : torch::zeros_like(mean);  // [B, F]
  return torch::cat({mean, std, flux}, 1);
}

StatsImpl::StatsImpl(const ModelOptions& options) {
  validate(options, "stats");
  const int64_t features = 3 * options.n_mels;
  feature_norm_ = register_module("feature_norm",
                                  nn::BatchNorm1d(nn::BatchNormOptions(features).affine(false)));
  dropout_ = register_module("dropout", nn::Dropout(options.dropout));
  head_ = register_module("head", nn::Linear(features, options.n_classes));
}

torch::Tensor StatsImpl::forward(torch::Tensor x) {
  return head_(dropout_(feature_norm_(pooled_stats(x))));
}

ModelSpec stats_spec() {
  ModelSpec spec;
  spec.name = "stats";
  spec.description =
      "logistic regression on per-band mean, std and spectral flux pooled over the track";
  spec.reference =
      "Tzanetakis & Cook 2002, Musical genre classification of audio signals (IEEE TSAP): "
      "pooled frame statistics + a linear classifier";
  Recipe& r = spec.recipe;
  r.compression = "log10_1p10";
  r.train_frames = 512;  // long crops: statistics close to the whole track's
  r.train_crop = "random";
  r.eval_frames = 0;  // whole track
  r.optimizer = "adamw";
  r.lr = 1e-2;
  r.weight_decay = 1e-2;
  r.batch_size = 16;
  r.epochs = 20;
  r.scheduler = "cosine";
  r.dropout = 0.2;
  // No augmentation: masks and mixup act on frames the statistics average away.
  spec.make = [](const ModelOptions& o) -> std::shared_ptr<ClassifierImpl> {
    return std::make_shared<StatsImpl>(o);
  };
  return spec;
}

}  // namespace melclass::models
