#pragma once
// K-fold cross-validation of a training configuration: artist-disjoint,
// label-stratified folds (train/split.h); each fold's run trains on the other
// folds (with its own artist-disjoint validation part for model selection and
// calibration) and is scored on the held-out fold.
//   OUT/fold-1 .. fold-K   run folders (usable together by `predict --run OUT`)
//   OUT/cv_summary.json    per-fold metric, mean, std, times
//   OUT/oof_predictions.json  out-of-fold probabilities of every training track
//                          ({"labels", "track_index", "fold", "probs"}), for
//                          error analysis and for comparing ensembles; with
//                          artist pooling on, "probs" are pooled within each
//                          held-out fold, as predict pools a test part, and
//                          "probs_before_artist_pool" keeps the raw ones

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "melclass/train/config.h"

namespace melclass::train {

struct FoldResult {
  int fold = 0;       ///< 1-based
  double metric = 0;  ///< task metric on the held-out fold
  double macro_f1 = 0;
  int64_t train_tracks = 0, val_tracks = 0, test_tracks = 0;
  int best_epoch = 0;  ///< best validation metric
  int kept_epoch = 0;  ///< the epoch the fold's model.pt holds (TrainResult::kept_epoch)
  double seconds = 0;  ///< training + scoring
};

struct CvResult {
  std::string metric_name;
  std::vector<FoldResult> folds;
  double mean = 0, std = 0;  ///< over folds (population std)
  double seconds = 0;
};

nlohmann::json to_json(const CvResult& result);

/// Trains and scores `folds` runs of `base` (base.out is the cv folder).
/// `on_fold` is called after each fold. Like train, the cv folder is written
/// to a hidden sibling and moved to base.out when every fold is done, replacing
/// an earlier cv or run folder there; a failed cv leaves base.out as it was.
/// Throws Error when the training tracks have fewer artists than folds.
CvResult run_cv(const TrainConfig& base, int folds,
                const std::function<void(const FoldResult&)>& on_fold = {});

}  // namespace melclass::train
