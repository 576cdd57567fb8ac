#pragma once
// Multi-label decision rule. The rush5 metric cuts probabilities at 0.5, but a
// model trained with BCE on 100 sparse tags rarely reaches 0.5, so a global
// logit offset is fitted on the validation split (maximising micro-F1) and
// applied before the cut; at least `min_tags` tags are always predicted.
// Stored in the run folder as calibration.json.

#include <cstdint>
#include <filesystem>
#include <vector>

#include <ATen/core/Tensor.h>

#include "melclass/eval/metrics.h"

namespace melclass::train {

struct Calibration {
  double logit_offset = 0.0;        ///< added to every tag's logit before the 0.5 cut
  int min_tags = 0;                 ///< top-k fallback when fewer tags pass the cut
  std::vector<double> tag_offsets;  ///< per-tag offsets on top (empty: none)
};

/// probs [N, C] -> sigmoid(logit(probs) + offset + tag_offsets[c]), so 0.5 is the decision cut.
at::Tensor apply_calibration(const at::Tensor& probs, const Calibration& calibration);

/// Tags (class indices) per row of calibrated probabilities [N, C]: every tag
/// with p >= 0.5, topped up with the most probable ones to `min_tags`.
std::vector<std::vector<int64_t>> decide_tags(const at::Tensor& calibrated, int min_tags);

/// The task metric of probabilities [N, C] against each track's true class
/// indices: top-1 on a single-label task, decide_tags(min_tags) on a
/// multi-label one (`probs` already calibrated). Throws Error("labels", ...)
/// when a single-label track has other than one true class.
eval::MetricReport score_probabilities(const at::Tensor& probs,
                                       const std::vector<std::vector<int64_t>>& truth,
                                       const std::vector<std::string>& labels, bool multi_label,
                                       int min_tags);

/// Grid search of the offset in [-6, 6] (step 0.05) maximising micro-F1 of
/// decide_tags on probs [N, C] against multi-hot targets [N, C].
Calibration fit_calibration(const at::Tensor& probs, const at::Tensor& targets, int min_tags);

/// Per-tag offsets on top of `global` (fit_calibration's): coordinate ascent,
/// `passes` sweeps over the tags, each tag's extra offset searched in [-3, 3]
/// (step 0.25) and kept only where it raises the validation micro-F1 by more
/// than `min_gain` (a floor against fitting noise on small validation sets).
Calibration fit_tag_offsets(const at::Tensor& probs, const at::Tensor& targets,
                            const Calibration& global, int passes = 2, double min_gain = 1e-3);

/// Micro-F1 of decisions against multi-hot targets [N, C].
double micro_f1(const std::vector<std::vector<int64_t>>& decided, const at::Tensor& targets);

void save_calibration(const std::filesystem::path& path, const Calibration& calibration);
/// Reads calibration.json; returns `fallback` when the file does not exist.
Calibration load_calibration(const std::filesystem::path& path, const Calibration& fallback);

}  // namespace melclass::train
