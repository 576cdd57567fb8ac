#include "melclass/train/trainer.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <memory>
#include <numeric>
#include <random>

#include <torch/nn/functional/loss.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>
#include <torch/types.h>

#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"
#include "melclass/core/runtime.h"
#include "melclass/data/dataset.h"
#include "melclass/data/spectrogram.h"
#include "melclass/eval/metrics.h"
#include "melclass/models/registry.h"
#include "melclass/train/augment.h"
#include "melclass/train/calibration.h"
#include "melclass/train/run_dir.h"
#include "melclass/train/scoring.h"

namespace fs = std::filesystem;
namespace F = torch::nn::functional;
using Clock = std::chrono::steady_clock;

namespace melclass::train {
namespace {

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const models::Recipe& r,
                                                        models::ClassifierImpl& model) {
  if (r.optimizer == "sgd")
    return std::make_unique<torch::optim::SGD>(
        model.parameters(), torch::optim::SGDOptions(r.lr)
                                .momentum(r.momentum)
                                .nesterov(r.nesterov)
                                .weight_decay(r.weight_decay));
  return std::make_unique<torch::optim::AdamW>(
      model.parameters(), torch::optim::AdamWOptions(r.lr).weight_decay(r.weight_decay));
}

void set_lr(torch::optim::Optimizer& opt, double lr) {
  for (auto& group : opt.param_groups()) group.options().set_lr(lr);
}

// ReduceLROnPlateau on validation loss (mode "min"), as torch.optim.lr_scheduler.
struct Plateau {
  double best = INFINITY;
  int bad_epochs = 0;
  double step(double loss, double lr, double factor, int patience) {
    if (loss < best * (1 - 1e-4)) {
      best = loss, bad_epochs = 0;
      return lr;
    }
    if (++bad_epochs > patience) return bad_epochs = 0, lr * factor;
    return lr;
  }
};

class Trainer {
 public:
  explicit Trainer(const TrainConfig& config) : cfg_(config), device_(parse_device(config.device)) {}

  TrainResult run(const std::function<void(const EpochLog&)>& on_epoch);

 private:
  void load_data();
  void build_model();
  double train_epoch(int epoch, int64_t& samples);
  /// Training batch order[start, end): x [B, F, T] augmented, y targets; returns the mixup used.
  Mixup make_batch(const std::vector<size_t>& order, size_t start, size_t end, at::Tensor& x,
                   at::Tensor& y);
  void validate_epoch(EpochLog& log);
  double lr_at(int64_t step, int64_t total_steps) const;
  at::Tensor load_mel(size_t index) { return data::load_spectrogram(files_[index], cfg_.n_mels); }

  TrainConfig cfg_;
  c10::Device device_;
  data::LabelVocab vocab_;
  std::vector<fs::path> files_;
  std::vector<at::Tensor> targets_;
  std::vector<size_t> train_idx_, val_idx_;
  std::shared_ptr<models::ClassifierImpl> model_;
  std::unique_ptr<torch::optim::Optimizer> opt_;
  std::mt19937_64 rng_;
  int64_t step_ = 0, total_steps_ = 0;
  double lr_ = 0;
  TrainResult result_;
  Calibration calibration_;
};

void Trainer::load_data() {
  data::DatasetOptions o;
  o.root = cfg_.data_root;
  if (!cfg_.task.empty()) o.task = data::parse_task(cfg_.task);
  o.skip_missing = cfg_.skip_missing;
  const auto ds = data::Dataset::load(o, data::Split::kTrain);
  cfg_.task = data::task_info(ds.task()).name;
  vocab_ = data::LabelVocab(ds.label_set(), data::task_info(ds.task()).multi_label);
  for (const auto& t : ds.tracks()) {
    files_.push_back(ds.spectrogram_file(t));
    data::check_spectrogram_header(files_.back(), cfg_.n_mels);  // fail before training starts
    targets_.push_back(vocab_.encode(t.labels, "train", data::train_label_path(o.root).string()));
  }
  const size_t n = files_.size();
  const size_t n_val = std::max<size_t>(1, static_cast<size_t>(std::lround(n * cfg_.val_fraction)));
  check(n >= n_val + 2, "train", data::train_label_path(o.root).string(),
        "too few tracks to train (" + std::to_string(n) + ")");
  for (size_t i = 0; i < n; ++i) (i < n - n_val ? train_idx_ : val_idx_).push_back(i);
  result_.train_tracks = static_cast<int64_t>(train_idx_.size());
  result_.val_tracks = static_cast<int64_t>(val_idx_.size());
  result_.skipped_missing = static_cast<int64_t>(ds.skipped_missing());
}

void Trainer::build_model() {
  models::ModelOptions mo;
  mo.n_mels = cfg_.n_mels;
  mo.n_classes = static_cast<int64_t>(vocab_.size());
  mo.dropout = cfg_.recipe.dropout;
  model_ = models::make_model(cfg_.model, mo);
  model_->to(device_);
  opt_ = make_optimizer(cfg_.recipe, *model_);
  lr_ = cfg_.recipe.lr;
}

double Trainer::lr_at(int64_t step, int64_t total) const {
  if (cfg_.recipe.scheduler != "cosine") return lr_;
  const int64_t warmup = std::max<int64_t>(1, total / 20);
  if (step < warmup) return cfg_.recipe.lr * static_cast<double>(step + 1) / warmup;
  const double progress = static_cast<double>(step - warmup) / std::max<int64_t>(1, total - warmup);
  return cfg_.recipe.lr * 0.5 * (1.0 + std::cos(M_PI * progress));
}

Mixup Trainer::make_batch(const std::vector<size_t>& order, size_t start, size_t end,
                          at::Tensor& x, at::Tensor& y) {
  const auto& r = cfg_.recipe;
  std::vector<at::Tensor> xs, ys;
  for (size_t k = start; k < end; ++k) {
    const double gain = sample_gain(r.gain_db, rng_);  // draws nothing when off
    xs.push_back(prepare_input(load_mel(order[k]), r, true, rng_, gain));
    ys.push_back(targets_[order[k]]);
  }
  x = torch::stack(xs);  // [B, F, train_frames]
  spec_augment(x, r, rng_);
  const Mixup mixup = draw_mixup(r.mixup_alpha, x.size(0), rng_);
  x = mix(x, mixup).to(device_);
  y = torch::stack(ys).to(device_);
  return mixup;
}

double Trainer::train_epoch(int epoch, int64_t& samples) {
  model_->train();
  std::vector<size_t> order = train_idx_;
  std::shuffle(order.begin(), order.end(), rng_);
  const size_t batch = static_cast<size_t>(cfg_.recipe.batch_size);
  double loss_sum = 0;
  int batches = 0;
  for (size_t start = 0; start < order.size(); start += batch) {
    const size_t end = std::min(order.size(), start + batch);
    if (end - start < 2 && start > 0) break;  // BatchNorm needs > 1 sample
    at::Tensor x, y;
    const Mixup mixup = make_batch(order, start, end, x, y);
    if (cfg_.recipe.scheduler == "cosine") set_lr(*opt_, lr_ = lr_at(step_, total_steps_));
    opt_->zero_grad();
    const at::Tensor logits = model_->forward(x);
    const at::Tensor loss =
        training_loss(logits, y, vocab_.multi_label(), mixup, cfg_.recipe.label_smoothing);
    loss.backward();
    opt_->step();
    loss_sum += loss.item<double>();
    ++batches, ++step_;
    samples += static_cast<int64_t>(end - start);
  }
  return batches ? loss_sum / batches : 0.0;
}

void Trainer::validate_epoch(EpochLog& log) {
  std::vector<fs::path> files;
  std::vector<at::Tensor> targets;
  for (size_t i : val_idx_) {
    files.push_back(files_[i]);
    targets.push_back(targets_[i]);
  }
  const at::Tensor probs = predict_files(*model_, files, cfg_.n_mels, cfg_.recipe,
                                         vocab_.multi_label(), device_, rng_);
  const at::Tensor y = torch::stack(targets);
  if (vocab_.multi_label()) {
    log.val_loss = F::binary_cross_entropy(probs.clamp(1e-7, 1 - 1e-7), y).item<double>();
    std::vector<std::vector<int64_t>> truth(val_idx_.size()), pred;
    for (size_t i = 0; i < val_idx_.size(); ++i)
      for (int64_t c = 0; c < probs.size(1); ++c)
        if (y[i][c].item<float>() > 0.5f) truth[i].push_back(c);
    calibration_ = Calibration{0.0, cfg_.recipe.min_tags};
    if (cfg_.recipe.calibrate) calibration_ = fit_calibration(probs, y, cfg_.recipe.min_tags);
    pred = decide_tags(apply_calibration(probs, calibration_), cfg_.recipe.min_tags);
    const auto r = eval::score_multi_label(truth, pred, vocab_.labels());
    log.val_metric = r.metric, log.metric_name = r.metric_name;
    return;
  }
  log.val_loss = F::nll_loss(probs.clamp_min(1e-7).log(), y).item<double>();
  const at::Tensor pred = probs.argmax(1);
  std::vector<int64_t> t(y.data_ptr<int64_t>(), y.data_ptr<int64_t>() + y.numel());
  std::vector<int64_t> p(pred.data_ptr<int64_t>(), pred.data_ptr<int64_t>() + pred.numel());
  const auto r = eval::score_single_label(t, p, vocab_.labels());
  log.val_metric = r.metric, log.metric_name = r.metric_name;
}

TrainResult Trainer::run(const std::function<void(const EpochLog&)>& on_epoch) {
  const auto start = Clock::now();
  configure_threads(cfg_.threads);
  seed_everything(cfg_.seed);
  rng_.seed(cfg_.seed);
  load_data();
  build_model();
  const fs::path out = cfg_.out;
  fs::create_directories(out);
  write_file_atomically(config_file(out), [&](std::ostream& s) { s << to_json(cfg_).dump(2) << "\n"; });
  vocab_.save(vocab_file(out));
  std::ofstream metrics(metrics_file(out), std::ios::trunc);
  const int64_t per_epoch = static_cast<int64_t>((train_idx_.size() + cfg_.recipe.batch_size - 1) /
                                                 cfg_.recipe.batch_size);
  total_steps_ = per_epoch * cfg_.recipe.epochs;
  Plateau plateau;
  double sps_sum = 0;
  result_.best_metric = -1;
  for (int epoch = 1; epoch <= cfg_.recipe.epochs; ++epoch) {
    const auto t0 = Clock::now();
    EpochLog log;
    log.epoch = epoch;
    log.lr = lr_;
    int64_t samples = 0;
    log.train_loss = train_epoch(epoch, samples);
    log.samples_per_second = samples / std::max(1e-9, seconds_since(t0));
    validate_epoch(log);
    log.seconds = seconds_since(t0);
    check(std::isfinite(log.train_loss), "train", "", "training diverged (loss is NaN/Inf)");
    if (log.val_metric > result_.best_metric) {
      log.best = true;
      result_.best_metric = log.val_metric, result_.best_epoch = epoch;
      save_checkpoint(out, *model_);
      if (vocab_.multi_label()) save_calibration(calibration_file(out), calibration_);
    }
    result_.metric_name = log.metric_name;
    if (cfg_.recipe.scheduler == "plateau")
      set_lr(*opt_, lr_ = plateau.step(log.val_loss, lr_, cfg_.recipe.plateau_factor,
                                       cfg_.recipe.plateau_patience));
    metrics << to_json(log).dump() << "\n" << std::flush;
    sps_sum += log.samples_per_second;
    if (on_epoch) on_epoch(log);
  }
  result_.seconds = seconds_since(start);
  result_.samples_per_second = sps_sum / cfg_.recipe.epochs;
  write_file_atomically(summary_file(out), [&](std::ostream& s) { s << to_json(result_).dump(2) << "\n"; });
  return result_;
}

}  // namespace

nlohmann::json to_json(const EpochLog& l) {
  return {{"epoch", l.epoch}, {"train_loss", l.train_loss}, {"val_loss", l.val_loss},
          {"val_" + (l.metric_name.empty() ? std::string("metric") : l.metric_name), l.val_metric},
          {"lr", l.lr}, {"seconds", l.seconds}, {"samples_per_second", l.samples_per_second},
          {"best", l.best}};
}

nlohmann::json to_json(const TrainResult& r) {
  return {{"best_epoch", r.best_epoch}, {"best_val_" + r.metric_name, r.best_metric},
          {"train_tracks", r.train_tracks}, {"val_tracks", r.val_tracks},
          {"skipped_missing", r.skipped_missing}, {"seconds", r.seconds},
          {"samples_per_second", r.samples_per_second}};
}

TrainResult train_model(const TrainConfig& config,
                        const std::function<void(const EpochLog&)>& on_epoch) {
  validate(config);
  check(!config.out.empty(), "train", "", "no output run folder given");
  return Trainer(config).run(on_epoch);
}

}  // namespace melclass::train
