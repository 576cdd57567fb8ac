#pragma once
// The classic recipe as a melclass model: summary statistics of each mel band
// pooled over the whole input, standardised, then one linear layer, i.e.
// multinomial logistic regression (softmax regression) on pooled features;
// trained with AdamW's weight decay it is L2-regularised. Features after the
// "bag of frames" statistics of Tzanetakis & Cook 2002, "Musical genre
// classification of audio signals" (IEEE TSAP: means and variances of
// short-time features over a texture window, and spectral flux), computed here
// per mel band of the log-compressed spectrogram.
//
// No input BatchNorm: the features are standardised by a BatchNorm over the
// pooled statistics instead, which is what a per-band input norm would achieve
// for the mean and the scale of std and flux.

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "melclass/models/classifier.h"

namespace melclass::models {

/// Per-band statistics over time. x: [B, F, T] (T >= 1) -> [B, 3F]:
/// columns [0, F) the mean over t, [F, 2F) the standard deviation (population,
/// divisor T), [2F, 3F) the spectral flux mean_t |x[t] - x[t-1]| over the T - 1
/// differences (0 when T == 1).
torch::Tensor pooled_stats(const torch::Tensor& x);

/// Rhythm and loudness statistics of x: [B, F, T] (F >= 8, any T >= 1) ->
/// [B, kRhythmFeatures]:
/// - [0, 128) modulation spectrum: the bands averaged into 8 groups, each
///   envelope cut into 256-frame Hann windows (hop 128; zero-padded when
///   shorter), |rfft| averaged over windows, bins 1..64 (0.12-7.8 Hz at 32 ms
///   frames) averaged in 16 runs of 4, log1p. After the fluctuation patterns of
///   Pampalk et al. 2002 ("Content-based organization and visualization of
///   music archives", ACM MM) and McKinney & Breebaart 2003 ("Features for
///   audio and music classification", ISMIR).
/// - [128, 159) autocorrelation of the onset strength (mean over bands of the
///   positive frame-to-frame difference), normalised by lag 0, lags 4..127 in
///   31 runs of 4: the beat histogram of Tzanetakis & Cook 2002.
/// - [159, 164) loudness: mean, std, 10th and 90th percentile and mean
///   absolute change of the band-mean envelope.
constexpr int64_t kRhythmFeatures = 164;
torch::Tensor rhythm_stats(const torch::Tensor& x);

/// pooled_stats [B, 3 n_mels] -> BatchNorm1d (no affine) -> Dropout ->
/// Linear(3 n_mels, C). x: [B, n_mels, T] -> logits [B, C]; any T >= 1 (the
/// recipe trains on 512-frame crops and reads whole tracks; the tests cover
/// T >= 32).
class StatsImpl : public ClassifierImpl {
 public:
  /// extended: also rhythm_stats (model "stats_ext").
  explicit StatsImpl(const ModelOptions& options, bool extended = false);
  /// x: [B, n_mels, T] -> logits [B, C]
  torch::Tensor forward(torch::Tensor x) override;

 private:
  torch::nn::BatchNorm1d feature_norm_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear head_{nullptr};
  bool extended_ = false;
};
TORCH_MODULE(Stats);

ModelSpec stats_spec();
/// stats + rhythm_stats, trained on longer crops.
ModelSpec stats_ext_spec();

}  // namespace melclass::models
