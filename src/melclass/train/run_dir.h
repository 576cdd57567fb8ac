#pragma once
// The run folder: everything `predict` needs, nothing else.
//   config.json    resolved TrainConfig
//   labels.json    label vocabulary
//   metrics.jsonl  one JSON object per epoch
//   model.pt       best checkpoint by validation metric
//   summary.json   final figures
//   input_norm.json  per-band mean/std of the training set (recipe.normalize "band")
//   calibration.json multi-label decision rule
//   classic.json   the classic expert blended with the network (recipe.classic_blend)
//   artist_labels.json training label counts per artist (recipe.artist_prior, artist_tag_mix)

#include <filesystem>
#include <memory>

#include <c10/core/Device.h>
#include <nlohmann/json.hpp>

#include "melclass/data/dataset.h"
#include "melclass/data/labels.h"
#include "melclass/data/normalization.h"
#include "melclass/models/classifier.h"
#include "melclass/train/artist_prior.h"
#include "melclass/train/calibration.h"
#include "melclass/train/config.h"
#include "melclass/train/scoring.h"

namespace melclass::train {

std::filesystem::path config_file(const std::filesystem::path& run);
std::filesystem::path vocab_file(const std::filesystem::path& run);
std::filesystem::path metrics_file(const std::filesystem::path& run);
std::filesystem::path checkpoint_file(const std::filesystem::path& run);
std::filesystem::path summary_file(const std::filesystem::path& run);
std::filesystem::path calibration_file(const std::filesystem::path& run);
std::filesystem::path norm_file(const std::filesystem::path& run);
std::filesystem::path classic_file(const std::filesystem::path& run);
std::filesystem::path artist_labels_file(const std::filesystem::path& run);

/// Whether `name` is one of the files train or cv write into a run or cv
/// folder (predict refuses to write its output over one).
bool is_run_file_name(const std::string& name);

/// Whether `folder` is a run folder melclass wrote: config.json and nothing
/// but the run files above (and mel_cache/, predictions.json/.csv, report.html).
bool is_run_folder(const std::filesystem::path& folder);

/// Whether `folder` is a cv folder melclass wrote: fold-1.., each a run
/// folder, and nothing but cv_summary.json, oof_predictions.json,
/// predictions.json/.csv, report.html beside them.
bool is_cv_folder(const std::filesystem::path& folder);

/// What train and cv may replace: a run or cv folder (anything else there,
/// a dataset inside it or a user's file, makes it not ours).
bool is_replaceable_output(const std::filesystem::path& folder);

/// A run file's JSON. Throws Error("run", file, ...) when unreadable or malformed.
nlohmann::json read_run_json(const std::filesystem::path& file);

/// Whether a configuration's model reads spectrograms / metadata text.
bool uses_audio(const TrainConfig& config);
bool uses_text(const TrainConfig& config);

/// How a configuration reads ROOT/train: its task, skip_missing, and
/// spectrograms required only when the model reads audio.
data::DatasetOptions train_data_options(const TrainConfig& config);

/// A dataset's tracks as model input sources per a configuration: the
/// spectrogram file when the model reads audio, the hashed metadata features
/// (text::Featurizer with recipe.text_buckets) when it reads text.
std::vector<TrackSource> make_sources(const TrainConfig& config, const data::Dataset& dataset);

/// The model a configuration names, for `n_classes` labels, wrapped with a
/// text branch (models::with_text) when recipe.use_text asks for it.
std::shared_ptr<models::ClassifierImpl> build_model(const TrainConfig& config, int64_t n_classes);

/// Writes model parameters and buffers to run/model.pt atomically. Throws
/// Error("train", ...) instead when a parameter holds NaN/Inf (a diverged run).
void save_checkpoint(const std::filesystem::path& run, models::ClassifierImpl& model);

struct LoadedRun {
  TrainConfig config;
  data::LabelVocab vocab;
  std::shared_ptr<models::ClassifierImpl> model;
  Calibration calibration;  ///< multi-label decision rule (calibration.json)
  data::BandStats norm;     ///< input_norm.json; empty when the recipe does not normalise
  /// classic.json, when training fitted one (single-label audio runs with
  /// recipe.classic_blend > 0); null otherwise.
  std::shared_ptr<const models::ClassicLinear> classic;
  /// artist_labels.json: training label counts per artist for the artist
  /// prior; empty when absent (runs of earlier builds).
  ArtistLabels artist_labels;
  InputSpec input_spec() const;
  /// Probabilities [N, C] for `sources` (predict_sources with this run's input
  /// spec; multi-label ones calibrated, so 0.5 is the decision cut).
  /// bf16: forward passes under bf16 autocast (InputSpec::bf16).
  at::Tensor predict(const std::vector<TrackSource>& sources, c10::Device device,
                     int track_workers = 1, bool bf16 = false) const;
};

/// Rebuilds the model from config.json + labels.json and loads model.pt onto
/// `device`. Throws Error("run", file, ...) naming what is missing or broken.
LoadedRun load_run(const std::filesystem::path& run, c10::Device device);

}  // namespace melclass::train
