#pragma once
// Artist prior at prediction time: a test track whose artist has labelled
// tracks in the training set is pulled towards those labels (single-label:
// apply_artist_prior; multi-label: mix_artist_tags). The counts come from
// training (artist_labels.json in the run); the
// artist keys are artist_group's (train/split.h), as for the consensus
// (train/group_pool.h). Artist-disjoint cross-validation never sees a held-out
// artist in training, so cv figures do not move; README, "Accuracy on real
// music", has how it was measured.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

namespace melclass::train {

/// Training label counts per artist: tracks[key] = training tracks of that
/// artist, counts[key][c] = those with label (or tag) c. "track:" keys (no
/// artist) are never stored.
struct ArtistLabels {
  size_t n_classes = 0;
  std::map<std::string, int64_t> tracks;
  std::map<std::string, std::vector<int64_t>> counts;
};

/// groups: artist_group of each training track; labels: its label indices
/// (one, or a multi-label track's tags); rows: the tracks to count (train and
/// validation parts).
ArtistLabels count_artist_labels(const std::vector<std::string>& groups,
                                 const std::vector<std::vector<int64_t>>& labels,
                                 const std::vector<size_t>& rows, size_t n_classes);

/// JSON {"tracks": {key: n}, "counts": {key: [count per class, labels.json
/// order]}}; atomic write.
void save_artist_labels(const std::filesystem::path& file, const ArtistLabels& labels);
/// Inverse of save_artist_labels; throws Error("run", file, ...) when
/// malformed, when a row does not have n_classes counts or a count exceeds the
/// artist's tracks.
ArtistLabels load_artist_labels(const std::filesystem::path& file, size_t n_classes);

/// probs: [N, C] (rows sum to 1); groups: N artist keys -> [N, C]. For each
/// track whose artist has n_a training tracks, n_{a,c} of them labelled c
/// (Laplace's rule of succession for the artist's label distribution):
///   q_i ∝ p_i(c) · ((n_{a,c} + 1) / (n_a + C))^w
/// Other tracks are returned unchanged; w = 0 returns probs. Throws
/// Error("predict") when sizes disagree or w < 0.
at::Tensor apply_artist_prior(const at::Tensor& probs, const std::vector<std::string>& groups,
                              const ArtistLabels& labels, double weight);

/// Multi-label: probs [N, C] calibrated tag scores (0.5 is the cut) -> [N, C].
/// For each track whose artist has n_a training tracks, n_{a,c} of them
/// tagged c:  q_i(c) = (1 - b) p_i(c) + b · n_{a,c} / n_a
/// so at b = 0.5 a tag every training track of the artist carries is always
/// predicted and one none carries never is. Other tracks unchanged; b = 0
/// returns probs. Throws Error("predict") when sizes disagree or b is outside
/// [0, 1].
at::Tensor mix_artist_tags(const at::Tensor& probs, const std::vector<std::string>& groups,
                           const ArtistLabels& labels, double weight);

/// The rule a task uses: mix_artist_tags with `tag_mix` on a multi-label task,
/// apply_artist_prior with `prior` otherwise. Shared by predict and cv.
at::Tensor apply_artist_prior_for_task(const at::Tensor& probs,
                                       const std::vector<std::string>& groups,
                                       const ArtistLabels& labels, bool multi_label, double prior,
                                       double tag_mix);

}  // namespace melclass::train
