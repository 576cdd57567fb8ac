// JSON forms of a training run's per-epoch log (metrics.jsonl) and its result
// (summary.json); declared in trainer.h.
#include <string>

#include <nlohmann/json.hpp>

#include "melclass/train/trainer.h"

namespace melclass::train {

nlohmann::json to_json(const EpochLog& l) {
  return {{"epoch", l.epoch},
          {"train_loss", l.train_loss},
          {"val_loss", l.val_loss},
          {"val_" + (l.metric_name.empty() ? std::string("metric") : l.metric_name), l.val_metric},
          {"lr", l.lr},
          {"seconds", l.seconds},
          {"samples_per_second", l.samples_per_second},
          {"data_wait_fraction", l.data_wait_fraction},
          {"best", l.best}};
}

nlohmann::json to_json(const TrainResult& r) {
  return {{"best_epoch", r.best_epoch},
          {"kept_epoch", r.kept_epoch},
          {"best_val_" + r.metric_name, r.best_metric},
          {"epochs_run", r.epochs_run},
          {"train_tracks", r.train_tracks},
          {"val_tracks", r.val_tracks},
          {"skipped_missing", r.skipped_missing},
          {"seconds", r.seconds},
          {"samples_per_second", r.samples_per_second},
          {"data_wait_fraction", r.data_wait_fraction}};
}

}  // namespace melclass::train
