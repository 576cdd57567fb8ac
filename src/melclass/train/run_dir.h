#pragma once
// The run folder: everything `predict` needs, nothing else.
//   config.json    resolved TrainConfig
//   labels.json    label vocabulary
//   metrics.jsonl  one JSON object per epoch
//   model.pt       best checkpoint by validation metric
//   summary.json   final figures

#include <filesystem>
#include <memory>

#include <c10/core/Device.h>

#include "melclass/data/labels.h"
#include "melclass/models/classifier.h"
#include "melclass/train/calibration.h"
#include "melclass/train/config.h"

namespace melclass::train {

std::filesystem::path config_file(const std::filesystem::path& run);
std::filesystem::path vocab_file(const std::filesystem::path& run);
std::filesystem::path metrics_file(const std::filesystem::path& run);
std::filesystem::path checkpoint_file(const std::filesystem::path& run);
std::filesystem::path summary_file(const std::filesystem::path& run);
std::filesystem::path calibration_file(const std::filesystem::path& run);

/// Writes model parameters and buffers to run/model.pt atomically.
void save_checkpoint(const std::filesystem::path& run, models::ClassifierImpl& model);

struct LoadedRun {
  TrainConfig config;
  data::LabelVocab vocab;
  std::shared_ptr<models::ClassifierImpl> model;
  Calibration calibration;  ///< multi-label decision rule (calibration.json)
};

/// Rebuilds the model from config.json + labels.json and loads model.pt onto
/// `device`. Throws Error("run", file, ...) naming what is missing or broken.
LoadedRun load_run(const std::filesystem::path& run, c10::Device device);

}  // namespace melclass::train
