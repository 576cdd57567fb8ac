#include "melclass/train/augment.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <torch/nn/functional/embedding.h>
#include <torch/nn/functional/loss.h>
#include <torch/types.h>

namespace F = torch::nn::functional;

namespace melclass::train {

std::vector<Mask> draw_masks(int count, int64_t max_width, int64_t length, std::mt19937_64& rng) {
  std::vector<Mask> out;
  const int64_t cap = std::min(max_width, length);
  if (cap <= 0) return out;
  for (int i = 0; i < count; ++i) {
    Mask m;
    m.width = std::uniform_int_distribution<int64_t>(0, cap)(rng);
    m.start = std::uniform_int_distribution<int64_t>(0, length - m.width)(rng);
    out.push_back(m);
  }
  return out;
}

void apply_masks(at::Tensor& x, const std::vector<Mask>& freq, const std::vector<Mask>& time,
                 double fill) {
  for (const auto& m : freq)
    if (m.width > 0) x.narrow(0, m.start, m.width).fill_(fill);
  for (const auto& m : time)
    if (m.width > 0) x.narrow(1, m.start, m.width).fill_(fill);
}

void spec_augment(at::Tensor& batch, const models::Recipe& r, std::mt19937_64& rng) {
  const bool freq_on = r.spec_freq_masks > 0 && r.spec_freq_width > 0;
  const bool time_on = r.spec_time_masks > 0 && r.spec_time_width > 0;
  if (!freq_on && !time_on) return;
  for (int64_t b = 0; b < batch.size(0); ++b) {
    at::Tensor x = batch[b];
    const double fill = x.mean().item<double>();
    const auto freq = freq_on ? draw_masks(r.spec_freq_masks, r.spec_freq_width, x.size(0), rng)
                              : std::vector<Mask>{};
    const auto time = time_on ? draw_masks(r.spec_time_masks, r.spec_time_width, x.size(1), rng)
                              : std::vector<Mask>{};
    apply_masks(x, freq, time, fill);
  }
}

double sample_beta(double alpha, std::mt19937_64& rng) {
  std::gamma_distribution<double> gamma(alpha, 1.0);
  const double a = gamma(rng), b = gamma(rng);
  return a + b > 0 ? a / (a + b) : 0.5;
}

double sample_gain(double gain_db, std::mt19937_64& rng) {
  if (gain_db <= 0) return 1.0;
  const double g = std::uniform_real_distribution<double>(-gain_db, gain_db)(rng);
  return std::pow(10.0, g / 10.0);
}

Mixup draw_mixup(double alpha, int64_t batch, std::mt19937_64& rng) {
  Mixup m;
  m.partner.resize(static_cast<size_t>(batch));
  std::iota(m.partner.begin(), m.partner.end(), int64_t{0});
  if (alpha <= 0) return m;
  m.lambda = sample_beta(alpha, rng);
  std::shuffle(m.partner.begin(), m.partner.end(), rng);
  return m;
}

at::Tensor mix(const at::Tensor& x, const Mixup& m) {
  if (m.lambda == 1.0) return x;
  const at::Tensor idx = torch::tensor(m.partner, torch::kLong).to(x.device());
  return m.lambda * x + (1.0 - m.lambda) * x.index_select(0, idx);
}

at::Tensor smooth_targets(const at::Tensor& y, int64_t n_classes, double eps) {
  const at::Tensor one_hot = F::one_hot(y, n_classes).to(torch::kFloat);
  return one_hot * (1.0 - eps) + eps / static_cast<double>(n_classes);
}

at::Tensor soft_cross_entropy(const at::Tensor& logits, const at::Tensor& targets) {
  return -(targets * torch::log_softmax(logits, 1)).sum(1).mean();
}

at::Tensor asymmetric_loss(const at::Tensor& logits, const at::Tensor& targets, double gamma_neg,
                           double gamma_pos, double clip) {
  const at::Tensor p = torch::sigmoid(logits);
  const at::Tensor p_neg = clip > 0 ? (p - clip).clamp_min(0) : p;  // probability shifting
  const at::Tensor pos = targets * torch::pow(1 - p, gamma_pos) * torch::log(p.clamp_min(1e-8));
  const at::Tensor neg =
      (1 - targets) * torch::pow(p_neg, gamma_neg) * torch::log((1 - p_neg).clamp_min(1e-8));
  return -(pos + neg).mean();
}

at::Tensor training_loss(const at::Tensor& logits, const at::Tensor& y, bool multi_label,
                         const Mixup& m, double eps, const std::string& loss) {
  if (multi_label && loss == "asl") return asymmetric_loss(logits, mix(y, m), 4.0, 0.0, 0.05);
  if (multi_label) return F::binary_cross_entropy_with_logits(logits, mix(y, m));
  if (m.lambda == 1.0 && eps == 0) return F::cross_entropy(logits, y);
  return soft_cross_entropy(logits, mix(smooth_targets(y, logits.size(1), eps), m));
}

}  // namespace melclass::train
