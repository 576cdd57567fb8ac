#pragma once
// `predict`: a trained run folder + a dataset root -> the competition's
// infer() output for ROOT/test/test_data, plus a CSV with per-class scores.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "melclass/data/labels.h"

namespace melclass::infer {

struct PredictOptions {
  /// Run folders; several (or a cv folder, whose fold-*/ runs are used) make
  /// an ensemble: their calibrated probabilities are averaged.
  std::vector<std::filesystem::path> runs;
  std::filesystem::path root;
  std::filesystem::path out;  ///< JSON list; the CSV goes beside it (same stem, .csv)
  std::string device = "cpu";
  int threads = 0;
  /// "bf16": forward passes under bf16 autocast (on CPUs with AVX-512 BF16 or
  /// AMX, and GPUs, about twice the convolution throughput; probabilities move
  /// by ~1e-3); "none": float32.
  std::string autocast = "none";
  /// Artist consensus weight (train/group_pool.h) for single-label tasks; unset:
  /// the first run's recipe.artist_pool. 0 turns it off.
  std::optional<double> artist_pool;
  /// Artist prior weight (train/artist_prior.h) for single-label tasks; unset:
  /// each run's recipe.artist_prior. 0 turns it off.
  std::optional<double> artist_prior;
  /// Artist tag mix (train/artist_prior.h) for multi-label tasks; unset: each
  /// run's recipe.artist_tag_mix. 0 turns it off.
  std::optional<double> artist_tag_mix;
};

struct Predictions {
  std::vector<std::string> track_ids;            ///< data_idx order of q{1,2,3}_test.json
  at::Tensor probabilities;                      ///< [N, C]
  std::vector<std::vector<std::string>> labels;  ///< decided labels per track
  data::LabelVocab vocab;
  double seconds = 0;
};

/// Decides labels from probabilities [N, C]: argmax for single-label; for
/// multi-label every class with p >= 0.5 (probabilities, not logits: the kit's
/// bug fixed), topped up to `min_tags` with the most probable classes.
std::vector<std::vector<std::string>> decide_labels(const at::Tensor& probabilities,
                                                    const data::LabelVocab& vocab,
                                                    int min_tags = 0);

/// A run folder as given, or the fold-*/ run folders of a cv folder (sorted).
/// Throws Error("predict", path, ...) when it is neither.
std::vector<std::filesystem::path> expand_runs(const std::vector<std::filesystem::path>& runs);

/// Runs the model(s) over the test split and writes options.out (JSON) and the
/// CSV beside it, each atomically. Throws Error on any problem.
Predictions predict(const PredictOptions& options);

/// Path of the CSV written beside a prediction JSON.
std::filesystem::path csv_path_for(const std::filesystem::path& json_path);

}  // namespace melclass::infer
