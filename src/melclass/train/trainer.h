#pragma once
// Supervised training of a registered model on a dataset root.

#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "melclass/train/config.h"

namespace melclass::train {

struct EpochLog {
  int epoch = 0;
  double train_loss = 0;
  double val_loss = 0;
  double val_metric = 0;
  std::string metric_name;
  double lr = 0;
  double seconds = 0;             ///< wall time of the epoch (train + validation)
  double samples_per_second = 0;  ///< training samples per second this epoch
  double data_wait_fraction = 0;  ///< share of the training time spent waiting for batches
  bool best = false;
};

struct TrainResult {
  int best_epoch = 0;  ///< best validation metric
  int kept_epoch = 0;  ///< whose weights model.pt holds: best_epoch, or the last with select "last"
  int epochs_run = 0;  ///< fewer than recipe.epochs when stopped early
  double best_metric = 0;
  std::string metric_name;
  int64_t train_tracks = 0, val_tracks = 0, skipped_missing = 0;
  double seconds = 0;
  double samples_per_second = 0;  ///< mean over epochs
  double data_wait_fraction = 0;  ///< mean over epochs
};

nlohmann::json to_json(const EpochLog& log);
nlohmann::json to_json(const TrainResult& result);

/// Trains per `config`, writing the run folder (config.json, labels.json,
/// metrics.jsonl, model.pt, summary.json, input_norm.json, calibration.json,
/// classic.json, artist_labels.json) to config.out. The run is written to a
/// hidden sibling folder first and moved to config.out when complete, replacing
/// an earlier run there (core/atomic_file.h: write_folder_atomically; a
/// non-empty folder that is not a run is refused): a failed run leaves
/// config.out as it was. Validation: an artist-disjoint val_fraction of the
/// training tracks (train/split.h); with cv_folds > 0, fold cv_fold is left out
/// first. `on_epoch` is called after each epoch. Throws Error on bad data or
/// configuration.
TrainResult train_model(const TrainConfig& config,
                        const std::function<void(const EpochLog&)>& on_epoch = {});

/// train_model without the staging: writes straight into `folder`, an existing
/// or new folder (cv writes its folds this way inside its own staged folder).
/// config.json still records config.out.
TrainResult train_into(const TrainConfig& config, const std::filesystem::path& folder,
                       const std::function<void(const EpochLog&)>& on_epoch = {});

}  // namespace melclass::train
