#include "melclass/train/trainer.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <random>

#include <ATen/Parallel.h>
#include <torch/nn/functional/loss.h>
#include <torch/optim/optimizer.h>
#include <torch/types.h>

#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"
#include "melclass/core/runtime.h"
#include "melclass/data/dataset.h"
#include "melclass/data/spectrogram.h"
#include "melclass/data/task.h"
#include "melclass/eval/metrics.h"
#include "melclass/train/augment.h"
#include "melclass/train/calibration.h"
#include "melclass/train/classic_fit.h"
#include "melclass/train/ema.h"
#include "melclass/train/loader.h"
#include "melclass/train/mel_cache.h"
#include "melclass/train/run_dir.h"
#include "melclass/train/schedule.h"
#include "melclass/train/scoring.h"
#include "melclass/train/split.h"

namespace fs = std::filesystem;
namespace F = torch::nn::functional;
using Clock = std::chrono::steady_clock;

namespace melclass::train {
namespace {

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

class Trainer {
 public:
  Trainer(const TrainConfig& config, fs::path folder)
      : cfg_(config), device_(parse_device(config.device)), out_(std::move(folder)) {}

  TrainResult run(const std::function<void(const EpochLog&)>& on_epoch);

 private:
  void load_data();
  void split_data(const std::vector<std::string>& groups);
  void fit_norm();
  void fit_classic();
  void build_model();
  double train_epoch(int epoch, int64_t& samples, double& wait_seconds);
  /// One training example (on a loader thread): {mel [F, train_frames] cropped,
  /// gained, masked; target}, or {target} for text-only models.
  Sample make_sample(size_t index, std::mt19937_64& rng) const;
  /// A loaded batch -> model input (text bags added, mixup applied) and targets y.
  Mixup finish_batch(const Batch& batch, models::ModelInput& in, at::Tensor& y);
  void validate_epoch(EpochLog& log);
  double lr_at(int64_t step, int64_t total_steps) const;
  bool end_epoch(const EpochLog& log, int epoch);
  /// Data, normalisation, model and optimizer; writes config.json and labels.json.
  void prepare();
  /// Trains and validates one epoch; appends its line to `metrics`. True: stop.
  bool run_epoch(int epoch, Plateau& plateau, std::ostream& metrics, EpochLog& log);
  /// Fits the classic expert where it applies; writes summary.json.
  void finish(Clock::time_point start, double sps_sum, double wait_sum, int epochs_run);
  InputSpec input_spec() const {
    return InputSpec{cfg_.n_mels, cfg_.recipe, norm_, audio_, nullptr};
  }
  /// Every training track, train part then validation part: what the classic
  /// expert fits on and the artist prior counts (neither selects epochs).
  std::vector<size_t> all_training_rows() const {
    std::vector<size_t> rows = train_idx_;
    rows.insert(rows.end(), val_idx_.begin(), val_idx_.end());
    return rows;
  }

  TrainConfig cfg_;
  c10::Device device_;
  bool audio_ = true;
  data::LabelVocab vocab_;
  data::BandStats norm_;
  std::vector<TrackSource> sources_;
  std::optional<MelCache> mel_cache_;  ///< audio sources as .npy while training runs
  std::vector<at::Tensor> targets_;
  std::vector<std::vector<int64_t>> labels_;  ///< label indices per track (splits, sampling)
  std::vector<std::string> groups_;           ///< artist_group per track (splits, artist prior)
  std::vector<size_t> train_idx_, val_idx_;
  std::shared_ptr<models::ClassifierImpl> model_;
  std::unique_ptr<torch::optim::Optimizer> opt_;
  std::optional<WeightEma> ema_;
  std::mt19937_64 rng_;
  int64_t step_ = 0, total_steps_ = 0;
  double lr_ = 0;
  int stale_epochs_ = 0;
  at::Tensor val_probs_, val_targets_;  ///< of the last validation (multi-label calibration)
  TrainResult result_;
  Calibration calibration_;
  fs::path out_;
};

void Trainer::load_data() {
  audio_ = uses_audio(cfg_);
  const data::DatasetOptions o = train_data_options(cfg_);
  const auto ds = data::Dataset::load(o, data::Split::kTrain);
  const data::TaskInfo& task = data::task_info(ds.task());
  cfg_.task = task.name;
  cfg_.val_fraction = auto_val_fraction(cfg_, task.multi_label);
  const std::string label_file = data::train_label_path(o.root).string();
  vocab_ = data::LabelVocab(ds.label_set(), task.multi_label, label_file);
  sources_ = make_sources(cfg_, ds);
  split_keys(ds, vocab_, label_file, groups_, labels_);
  for (size_t i = 0; i < ds.tracks().size(); ++i) {
    if (audio_) data::check_spectrogram_header(sources_[i].file, cfg_.n_mels);  // fail early
    targets_.push_back(vocab_.encode(ds.tracks()[i].labels, "train", label_file));
  }
  result_.skipped_missing = static_cast<int64_t>(ds.skipped_missing());
  split_data(groups_);
  // Audio files: decoded once here instead of at every epoch (removed after training).
  if (audio_) mel_cache_.emplace(sources_, out_ / "mel_cache", cfg_.n_mels, at::get_num_threads());
}

// The classic expert is fitted on every training track (train and validation
// parts): it has no epochs to select.
void Trainer::fit_classic() {
  const std::vector<size_t> idx = all_training_rows();
  std::vector<int64_t> labels;
  for (size_t i : idx) labels.push_back(labels_[i].front());
  fit_classic_expert(classic_file(out_), sources_, idx, labels, static_cast<int64_t>(vocab_.size()),
                     cfg_.n_mels, cfg_.recipe.classic_c, at::get_num_threads());
}

void Trainer::split_data(const std::vector<std::string>& groups) {
  const std::string label_file = data::train_label_path(cfg_.data_root).string();
  std::vector<size_t> candidates;
  if (cfg_.cv_folds > 0) {
    const auto fold = assign_folds(groups, labels_, cfg_.cv_folds, folds_seed(cfg_));
    for (size_t i = 0; i < fold.size(); ++i)
      if (fold[i] != cfg_.cv_fold) candidates.push_back(i);
  } else {
    for (size_t i = 0; i < sources_.size(); ++i) candidates.push_back(i);
  }
  check(candidates.size() >= 4, "train", label_file,
        "too few tracks to train (" + std::to_string(candidates.size()) + ")");
  if (cfg_.val_fraction == 0) {  // every track trains (config validation: select "last")
    check(!vocab_.multi_label() || !cfg_.recipe.calibrate, "train", label_file,
          "calibration needs a validation part: val_fraction > 0, or calibrate false");
    train_idx_ = candidates;
  } else {
    split_validation(candidates, groups, labels_, cfg_.val_fraction, cfg_.seed, train_idx_,
                     val_idx_);
    check(train_idx_.size() >= 2 && !val_idx_.empty(), "train", label_file,
          "too few tracks (or artists) to hold out a validation part");
  }
  result_.train_tracks = static_cast<int64_t>(train_idx_.size());
  result_.val_tracks = static_cast<int64_t>(val_idx_.size());
}

void Trainer::fit_norm() {
  if (!audio_ || cfg_.recipe.normalize != "band") return;
  data::BandStatsAccumulator acc(cfg_.n_mels);
  for (size_t i : train_idx_)
    acc.add(data::compress(data::load_spectrogram(sources_[i].file, cfg_.n_mels),
                           cfg_.recipe.compression));
  norm_ = acc.finish();
  data::save_band_stats(norm_file(out_), norm_);
}

void Trainer::build_model() {
  model_ = train::build_model(cfg_, static_cast<int64_t>(vocab_.size()));
  model_->to(device_);
  opt_ = make_optimizer(cfg_.recipe, *model_);
  lr_ = cfg_.recipe.lr;
  if (cfg_.recipe.ema_decay > 0) ema_.emplace(*model_, cfg_.recipe.ema_decay);
}

double Trainer::lr_at(int64_t step, int64_t total) const {
  return cfg_.recipe.scheduler == "cosine" ? warmup_cosine_lr(cfg_.recipe.lr, step, total) : lr_;
}

Sample Trainer::make_sample(size_t index, std::mt19937_64& rng) const {
  const auto& r = cfg_.recipe;
  if (!audio_) return {targets_[index]};
  const double gain = sample_gain(r.gain_db, rng);  // draws nothing when off
  at::Tensor x = prepare_input(data::load_spectrogram(sources_[index].file, cfg_.n_mels), r, true,
                               rng, gain, norm_)
                     .unsqueeze(0);
  spec_augment(x, r, rng);  // per-example masks
  return {x[0], targets_[index]};
}

Mixup Trainer::finish_batch(const Batch& batch, models::ModelInput& in, at::Tensor& y) {
  const int64_t n = static_cast<int64_t>(batch.indices.size());
  Mixup mixup = draw_mixup(0, n, rng_);  // none; draws nothing
  std::vector<TrackInput> bags;
  for (size_t i : batch.indices) bags.push_back({at::Tensor(), sources_[i].text, at::Tensor()});
  in = make_model_input(bags, device_);
  if (audio_) {
    // mixup mixes spectrograms; a text bag cannot be mixed, so not with text.
    if (!uses_text(cfg_)) mixup = draw_mixup(cfg_.recipe.mixup_alpha, n, rng_);
    in.mel = mix(batch.fields[0], mixup).to(device_, /*non_blocking=*/true);
  }
  y = batch.fields.back().to(device_, /*non_blocking=*/true);
  return mixup;
}

double Trainer::train_epoch(int epoch, int64_t& samples, double& wait_seconds) {
  model_->train();
  LoaderOptions lo;
  lo.batch_size = static_cast<size_t>(cfg_.recipe.batch_size);
  lo.workers = cfg_.workers;
  lo.min_batch = 2;  // BatchNorm needs > 1 sample
  lo.seed = cfg_.seed;
  lo.epoch = static_cast<uint64_t>(epoch);
  lo.pin_memory = device_.is_cuda();
  BatchLoader loader(
      epoch_order(train_idx_, labels_, cfg_.recipe.balanced && !vocab_.multi_label(), rng_),
      [this](size_t i, std::mt19937_64& rng) { return make_sample(i, rng); }, lo);
  const bool bf16 = parse_autocast(cfg_.autocast, "train");
  double loss_sum = 0;
  int batches = 0;
  while (auto batch = loader.next()) {
    models::ModelInput in;
    at::Tensor y;
    const Mixup mixup = finish_batch(*batch, in, y);
    if (cfg_.recipe.scheduler == "cosine") set_lr(*opt_, lr_ = lr_at(step_, total_steps_));
    opt_->zero_grad();
    at::Tensor logits;
    {
      AutocastGuard autocast(device_, bf16);
      logits = model_->forward_input(in);
    }
    logits = logits.to(at::kFloat);  // losses in float32 (a no-op without autocast)
    const at::Tensor loss = training_loss(logits, y, vocab_.multi_label(), mixup,
                                          cfg_.recipe.label_smoothing, cfg_.recipe.loss);
    loss.backward();
    opt_->step();
    if (ema_) ema_->update(*model_);
    loss_sum += loss.item<double>();
    ++batches, ++step_;
    samples += static_cast<int64_t>(batch->indices.size());
  }
  wait_seconds = loader.wait_seconds();
  return batches ? loss_sum / batches : 0.0;
}

void Trainer::validate_epoch(EpochLog& log) {
  calibration_ = Calibration{0.0, cfg_.recipe.min_tags, {}};  // multi-label: fitted below
  if (val_idx_.empty()) {  // val_fraction 0: nothing to score (null in metrics.jsonl)
    log.val_loss = log.val_metric = std::numeric_limits<double>::quiet_NaN();
    log.metric_name = data::task_info(data::parse_task(cfg_.task)).metric_name;
    return;
  }
  std::vector<TrackSource> sources;
  std::vector<at::Tensor> targets;
  for (size_t i : val_idx_) sources.push_back(sources_[i]), targets.push_back(targets_[i]);
  const at::Tensor probs =
      predict_sources(*model_, sources, input_spec(), vocab_.multi_label(), device_, rng_);
  const at::Tensor y = torch::stack(targets);
  std::vector<std::vector<int64_t>> truth;
  for (size_t i : val_idx_) truth.push_back(labels_[i]);
  const bool multi = vocab_.multi_label();
  if (multi) {
    log.val_loss = F::binary_cross_entropy(probs.clamp(1e-7, 1 - 1e-7), y).item<double>();
    if (cfg_.recipe.calibrate) calibration_ = fit_calibration(probs, y, cfg_.recipe.min_tags);
    val_probs_ = probs, val_targets_ = y;
  } else {
    log.val_loss = F::nll_loss(probs.clamp_min(1e-7).log(), y).item<double>();
  }
  const auto r = score_probabilities(multi ? apply_calibration(probs, calibration_) : probs, truth,
                                     vocab_.labels(), multi, cfg_.recipe.min_tags);
  log.val_metric = r.metric, log.metric_name = r.metric_name;
}

// Keeps the best checkpoint (select "best") or the latest (select "last");
// returns true when training should stop early.
bool Trainer::end_epoch(const EpochLog& log, int epoch) {
  const bool better = log.val_metric > result_.best_metric;
  if (better) result_.best_metric = log.val_metric, result_.best_epoch = epoch, stale_epochs_ = 0;
  if (better || cfg_.recipe.select == "last") {
    save_checkpoint(out_, *model_);  // refuses NaN/Inf weights: a diverged run
    result_.kept_epoch = epoch;
    if (vocab_.multi_label()) {
      // Per-tag offsets are fitted on the validation part; the logged metric
      // (model selection) uses the global offset only.
      if (cfg_.recipe.calibrate && cfg_.recipe.calibrate_per_tag)
        calibration_ = fit_tag_offsets(val_probs_, val_targets_, calibration_);
      save_calibration(calibration_file(out_), calibration_);
    }
  }
  return !better && cfg_.recipe.early_stop > 0 && ++stale_epochs_ >= cfg_.recipe.early_stop;
}

void Trainer::prepare() {
  configure_threads(cfg_.threads);
  seed_everything(cfg_.seed);
  rng_.seed(cfg_.seed);
  load_data();
  // Saved in config.json: the epochs that run.
  cfg_.recipe.epochs = epochs_to_run(cfg_.recipe, vocab_.multi_label(), train_idx_.size());
  fs::create_directories(out_);
  fit_norm();
  build_model();
  write_file_atomically(config_file(out_),
                        [&](std::ostream& s) { s << to_json(cfg_).dump(2) << "\n"; });
  vocab_.save(vocab_file(out_));
  total_steps_ = batches_per_epoch(train_idx_.size(), cfg_.recipe.batch_size) * cfg_.recipe.epochs;
  result_.best_metric = val_idx_.empty() ? std::numeric_limits<double>::quiet_NaN() : -1;
}

bool Trainer::run_epoch(int epoch, Plateau& plateau, std::ostream& metrics, EpochLog& log) {
  const auto t0 = Clock::now();
  log.epoch = epoch;
  int64_t samples = 0;
  double wait = 0;
  log.train_loss = train_epoch(epoch, samples, wait);
  log.lr = lr_;  // the epoch's last step (cosine), or its one rate (plateau)
  const double train_seconds = std::max(1e-9, seconds_since(t0));
  log.samples_per_second = samples / train_seconds;
  log.data_wait_fraction = wait / train_seconds;
  check(std::isfinite(log.train_loss), "train", "", "training diverged (loss is NaN/Inf)");
  if (ema_) ema_->swap(*model_);  // validate and save the averaged weights
  validate_epoch(log);
  check(val_idx_.empty() || std::isfinite(log.val_loss), "train", "",
        "training diverged (validation loss is NaN/Inf)");
  const double best_before = result_.best_metric;
  const bool stop = end_epoch(log, epoch);
  if (ema_) ema_->swap(*model_);
  log.best = result_.best_metric > best_before;
  log.seconds = seconds_since(t0);
  result_.metric_name = log.metric_name;
  if (cfg_.recipe.scheduler == "plateau")
    set_lr(*opt_, lr_ = plateau.step(log.val_loss, lr_, cfg_.recipe.plateau_factor,
                                     cfg_.recipe.plateau_patience));
  metrics << to_json(log).dump() << "\n" << std::flush;
  return stop;
}

void Trainer::finish(Clock::time_point start, double sps_sum, double wait_sum, int epochs_run) {
  result_.epochs_run = epochs_run;
  if (fits_classic(cfg_, vocab_.multi_label())) fit_classic();
  save_artist_labels(artist_labels_file(out_),
                     count_artist_labels(groups_, labels_, all_training_rows(), vocab_.size()));
  result_.seconds = seconds_since(start);
  result_.samples_per_second = sps_sum / std::max(1, epochs_run);
  result_.data_wait_fraction = wait_sum / std::max(1, epochs_run);
  write_file_atomically(summary_file(out_),
                        [&](std::ostream& s) { s << to_json(result_).dump(2) << "\n"; });
}

TrainResult Trainer::run(const std::function<void(const EpochLog&)>& on_epoch) {
  const auto start = Clock::now();
  prepare();
  std::ofstream metrics(metrics_file(out_), std::ios::trunc);
  Plateau plateau;
  double sps_sum = 0, wait_sum = 0;
  int epochs_run = 0;
  for (int epoch = 1; epoch <= cfg_.recipe.epochs; ++epoch) {
    EpochLog log;
    const bool stop = run_epoch(epoch, plateau, metrics, log);
    sps_sum += log.samples_per_second, wait_sum += log.data_wait_fraction, ++epochs_run;
    if (on_epoch) on_epoch(log);
    if (stop) break;
  }
  finish(start, sps_sum, wait_sum, epochs_run);
  return result_;
}

}  // namespace

TrainResult train_into(const TrainConfig& config, const fs::path& folder,
                       const std::function<void(const EpochLog&)>& on_epoch) {
  validate(config);
  return Trainer(config, folder).run(on_epoch);
}

TrainResult train_model(const TrainConfig& config,
                        const std::function<void(const EpochLog&)>& on_epoch) {
  validate(config);
  check(!config.out.empty(), "train", "", "no output run folder given");
  TrainResult result;
  write_folder_atomically(
      config.out, [&](const fs::path& folder) { result = train_into(config, folder, on_epoch); },
      is_replaceable_output);
  return result;
}

}  // namespace melclass::train
