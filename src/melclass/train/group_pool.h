#pragma once
// Artist consensus at prediction time (single-label tasks): tracks by one
// artist nearly always share their label (on the real data: 99.5% of
// airush2020-q3meta's 2367 tracks agree with their artist's majority genre,
// 99.4% on real4q/genre, 96.8% on real4q/station), so the tracks of one artist
// in the predicted set pool their evidence. No labels are read: only the
// artist names of the tracks being predicted (train/split.h, artist_group).

#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

namespace melclass::train {

/// probs: [N, C] class probabilities (rows sum to 1); groups: N keys, as
/// artist_group makes them ("track:<id>" keys are never pooled) -> [N, C].
/// Per track i in group g (a weighted geometric mean, i.e. a product of
/// experts, renormalised):
///   log q_i = (1 - w) log p_i + w / |g| sum_{j in g} log p_j  (+ const)
/// w = 0 returns probs unchanged; w = 1 gives every track of g the same row.
/// Probabilities are clamped at 1e-12 before the log. Throws Error("predict")
/// when sizes disagree or w is outside [0, 1].
at::Tensor pool_by_group(const at::Tensor& probs, const std::vector<std::string>& groups,
                         double weight);

/// The weight a run's predictions pool with: `weight` (recipe.artist_pool or a
/// predict override) on single-label tasks, 0 on multi-label ones (sigmoid
/// scores are not a distribution to renormalise, and pooling lost on mood).
/// Shared by predict and cv so both pool alike.
inline double artist_pool_weight(double weight, bool multi_label) {
  return multi_label ? 0 : weight;
}

}  // namespace melclass::train
