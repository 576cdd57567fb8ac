#pragma once
// The classic recipe fitted exactly, as a second expert beside a network:
// per-band mean and standard deviation of the dB mel spectrogram over the whole
// track, standardised on the training set, then L2-regularised multinomial
// logistic regression minimised to convergence with L-BFGS (Nocedal 1980,
// "Updating quasi-Newton matrices with limited storage") -- the objective of
// scikit-learn's LogisticRegression(C, multi_class="multinomial"). The
// "log-mel mean/std per band + logistic regression" reference of the AI Rush
// tasks; features after the bag-of-frames statistics of Tzanetakis & Cook 2002
// ("Musical genre classification of audio signals", IEEE TSAP).
//
// Unlike the `stats` model (trained by AdamW on random crops inside the network
// trainer), this one sees whole tracks and is fitted in closed loop; its
// probabilities are averaged with a network's (recipe.classic_blend).

#include <cstdint>
#include <string>

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

namespace melclass::models {

struct ClassicLinearOptions {
  /// Inverse L2 strength, as scikit-learn's C: the objective is
  /// sum_i CE(W z_i + b, y_i) + ||W||^2 / (2 c); b is not penalised.
  double c = 0.1;
  int max_iter = 1000;  ///< L-BFGS iterations at most
};

/// Features of the classic recipe. mel: power [F, T] (T >= 1, values >= 0) ->
/// [2F] float64: per band, the mean over t of 10 log10(max(x, 1e-10)), then its
/// population standard deviation (divisor T).
at::Tensor classic_features(const at::Tensor& mel);

/// A fitted classic model: z = (features - mean) / scale, logits = z W^T + b.
struct ClassicLinear {
  at::Tensor mean;    ///< [D] float64, training-set feature mean
  at::Tensor scale;   ///< [D] float64, training-set population std (1 where it is 0)
  at::Tensor weight;  ///< [C, D] float64
  at::Tensor bias;    ///< [C] float64

  /// features [N, D] -> softmax probabilities [N, C] float32.
  at::Tensor probabilities(const at::Tensor& features) const;
  nlohmann::json to_json() const;
  /// Throws Error("model", source, ...) for missing fields or inconsistent sizes.
  static ClassicLinear from_json(const nlohmann::json& j, const std::string& source);
};

/// features [N, D] (N >= 2), labels [N] int64 in [0, n_classes) -> the
/// minimiser of ClassicLinearOptions' objective on the standardised features.
/// Deterministic (zero start). Throws Error("model", "", ...) on bad input.
ClassicLinear fit_classic_linear(const at::Tensor& features, const at::Tensor& labels,
                                 int64_t n_classes, const ClassicLinearOptions& options = {});

}  // namespace melclass::models
