#pragma once
// Training-batch augmentation: SpecAugment time/frequency masking, mixup,
// random gain, and the (soft-target) losses they need. Every draw comes from
// the caller's generator, so a run's seed fixes the augmentation.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "melclass/models/classifier.h"

namespace melclass::train {

/// One mask: positions [start, start + width) along one axis.
struct Mask {
  int64_t start = 0;
  int64_t width = 0;
};

/// SpecAugment masks (Park et al. 2019, "SpecAugment: A Simple Data Augmentation
/// Method for Automatic Speech Recognition"): `count` masks, each of width
/// w ~ U{0..min(max_width, length)} at start ~ U{0..length - w}.
std::vector<Mask> draw_masks(int count, int64_t max_width, int64_t length, std::mt19937_64& rng);

/// x [F, T]: sets the frequency rows and time columns of the masks to `fill`, in place.
void apply_masks(at::Tensor& x, const std::vector<Mask>& freq, const std::vector<Mask>& time,
                 double fill);

/// batch [B, F, T] (compressed input), in place: per example, the recipe's
/// frequency and time masks, filled with that example's mean value (the
/// paper's inputs are mean-normalised, so its zero fill is the mean).
void spec_augment(at::Tensor& batch, const models::Recipe& recipe, std::mt19937_64& rng);

/// Beta(alpha, alpha) via two Gamma(alpha, 1) draws; alpha > 0. Result in [0, 1].
double sample_beta(double alpha, std::mt19937_64& rng);

/// Linear power factor 10^(g / 10), g ~ U[-gain_db, gain_db]; 1 when gain_db == 0
/// (and then draws nothing).
double sample_gain(double gain_db, std::mt19937_64& rng);

/// mixup (Zhang et al. 2018, "mixup: Beyond Empirical Risk Minimization"):
/// mixing weight lambda ~ Beta(alpha, alpha) and a random pairing of the batch.
/// alpha == 0: lambda = 1 and the identity pairing (nothing drawn).
struct Mixup {
  double lambda = 1.0;
  std::vector<int64_t> partner;  ///< [B] example mixed into each example
};
Mixup draw_mixup(double alpha, int64_t batch, std::mt19937_64& rng);

/// x [B, ...] -> lambda x + (1 - lambda) x[partner].
at::Tensor mix(const at::Tensor& x, const Mixup& m);

/// Class indices y [B] -> soft targets [B, C]: (1 - eps) one-hot + eps / C
/// (label smoothing, Szegedy et al. 2016, "Rethinking the Inception Architecture").
at::Tensor smooth_targets(const at::Tensor& y, int64_t n_classes, double eps);

/// Cross-entropy with soft targets: mean over the batch of -sum_c t_c log softmax(z)_c.
at::Tensor soft_cross_entropy(const at::Tensor& logits, const at::Tensor& targets);

/// Asymmetric loss (Ridnik et al. 2021, "Asymmetric Loss For Multi-Label
/// Classification", eq. 7): with p = sigmoid(z) and p_m = max(p - clip, 0),
/// -[t (1 - p)^gamma_pos log p + (1 - t) p_m^gamma_neg log(1 - p_m)], averaged
/// over all B x C entries (as BCE is). logits, targets: [B, C].
at::Tensor asymmetric_loss(const at::Tensor& logits, const at::Tensor& targets, double gamma_neg,
                           double gamma_pos, double clip);

/// The training loss of logits [B, C] against targets y ([B] class indices, or
/// [B, C] multi-hot when multi_label), with mixup `m` and label smoothing `eps`
/// (single-label only). Plain cross-entropy / BCE when both are off.
/// Multi-label `loss`: "bce", or "asl" (asymmetric_loss with the paper's
/// gamma_neg 4, gamma_pos 0, clip 0.05).
at::Tensor training_loss(const at::Tensor& logits, const at::Tensor& y, bool multi_label,
                         const Mixup& m, double eps, const std::string& loss = "bce");

}  // namespace melclass::train
