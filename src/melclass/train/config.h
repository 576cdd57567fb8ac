#pragma once
// Resolved training configuration: model recipe defaults, then overrides from
// a config file or the command line. Saved in the run folder as config.json.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "melclass/models/classifier.h"

namespace melclass::train {

struct TrainConfig {
  std::string data_root;
  std::string task;       ///< resolved task name; "" = detect from labels
  std::string model;      ///< registry name
  std::string out;        ///< run folder
  models::Recipe recipe;  ///< input and optimisation settings
  /// Share of the training tracks held out for validation (whole artists);
  /// 0 = none: every track trains, which needs select "last", no plateau
  /// schedule, no early stopping and, on multi-label tasks, calibrate false.
  double val_fraction = 0.1;
  int64_t n_mels = 128;
  uint64_t seed = 0;
  std::string device = "cpu";
  std::string autocast = "none";  ///< "bf16": training forward passes under bf16 autocast
  int threads = 0;                ///< 0 = all cores
  int workers = 1;  ///< background data-loading threads (0 = load on the training thread)
  bool skip_missing = false;
  int cv_folds = 0;  ///< > 0: cross-validation run, trains without fold cv_fold
  int cv_fold = 0;   ///< held-out fold (artist-disjoint, see train/split.h)
  bool verbose = true;
};

/// Defaults of `model`'s recipe with `overrides` (a flat JSON object whose keys
/// are TrainConfig/Recipe field names) applied. Unknown keys and invalid values
/// throw Error("config", source, ...).
TrainConfig resolve_config(const std::string& model, const nlohmann::json& overrides,
                           const std::string& source = "");

void validate(const TrainConfig& config);
nlohmann::json to_json(const TrainConfig& config);
/// Inverse of to_json; throws Error("config", source, ...) when malformed.
TrainConfig config_from_json(const nlohmann::json& j, const std::string& source);

}  // namespace melclass::train
