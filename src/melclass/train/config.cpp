#include "melclass/train/config.h"

#include "melclass/core/error.h"
#include "melclass/data/spectrogram.h"
#include "melclass/models/registry.h"

using nlohmann::json;

namespace melclass::train {
namespace {

json recipe_json(const models::Recipe& r) {
  return {{"compression", r.compression}, {"train_frames", r.train_frames},
          {"train_crop", r.train_crop},   {"eval_frames", r.eval_frames},
          {"eval_crop", r.eval_crop},     {"optimizer", r.optimizer},
          {"lr", r.lr},                   {"momentum", r.momentum},
          {"nesterov", r.nesterov},       {"weight_decay", r.weight_decay},
          {"batch_size", r.batch_size},   {"epochs", r.epochs},
          {"scheduler", r.scheduler},     {"plateau_factor", r.plateau_factor},
          {"plateau_patience", r.plateau_patience}, {"dropout", r.dropout},
          {"calibrate", r.calibrate},     {"min_tags", r.min_tags},
          {"eval_hop", r.eval_hop},       {"aggregate", r.aggregate},
          {"spec_time_masks", r.spec_time_masks}, {"spec_time_width", r.spec_time_width},
          {"spec_freq_masks", r.spec_freq_masks}, {"spec_freq_width", r.spec_freq_width},
          {"mixup_alpha", r.mixup_alpha}, {"gain_db", r.gain_db},
          {"label_smoothing", r.label_smoothing}};
}

void apply_recipe(models::Recipe& r, const json& j) {
  r.compression = j.value("compression", r.compression);
  r.train_frames = j.value("train_frames", r.train_frames);
  r.train_crop = j.value("train_crop", r.train_crop);
  r.eval_frames = j.value("eval_frames", r.eval_frames);
  r.eval_crop = j.value("eval_crop", r.eval_crop);
  r.optimizer = j.value("optimizer", r.optimizer);
  r.lr = j.value("lr", r.lr);
  r.momentum = j.value("momentum", r.momentum);
  r.nesterov = j.value("nesterov", r.nesterov);
  r.weight_decay = j.value("weight_decay", r.weight_decay);
  r.batch_size = j.value("batch_size", r.batch_size);
  r.epochs = j.value("epochs", r.epochs);
  r.scheduler = j.value("scheduler", r.scheduler);
  r.plateau_factor = j.value("plateau_factor", r.plateau_factor);
  r.plateau_patience = j.value("plateau_patience", r.plateau_patience);
  r.dropout = j.value("dropout", r.dropout);
  r.calibrate = j.value("calibrate", r.calibrate);
  r.min_tags = j.value("min_tags", r.min_tags);
  r.eval_hop = j.value("eval_hop", r.eval_hop);
  r.aggregate = j.value("aggregate", r.aggregate);
  r.spec_time_masks = j.value("spec_time_masks", r.spec_time_masks);
  r.spec_time_width = j.value("spec_time_width", r.spec_time_width);
  r.spec_freq_masks = j.value("spec_freq_masks", r.spec_freq_masks);
  r.spec_freq_width = j.value("spec_freq_width", r.spec_freq_width);
  r.mixup_alpha = j.value("mixup_alpha", r.mixup_alpha);
  r.gain_db = j.value("gain_db", r.gain_db);
  r.label_smoothing = j.value("label_smoothing", r.label_smoothing);
}

void apply_top(TrainConfig& c, const json& j) {
  c.data_root = j.value("data_root", c.data_root);
  c.task = j.value("task", c.task);
  c.out = j.value("out", c.out);
  c.val_fraction = j.value("val_fraction", c.val_fraction);
  c.n_mels = j.value("n_mels", c.n_mels);
  c.seed = j.value("seed", c.seed);
  c.device = j.value("device", c.device);
  c.threads = j.value("threads", c.threads);
  c.skip_missing = j.value("skip_missing", c.skip_missing);
  c.verbose = j.value("verbose", c.verbose);
}

bool is_crop(const std::string& s) { return s == "random" || s == "head" || s == "center"; }

}  // namespace

TrainConfig resolve_config(const std::string& model, const json& overrides,
                           const std::string& source) {
  check(overrides.is_object(), "config", source, "expected a JSON object");
  TrainConfig c;
  c.model = overrides.value("model", model);
  c.recipe = models::model_spec(c.model).recipe;
  const json known_recipe = recipe_json(c.recipe);
  const json known_top = {"data_root", "task", "out",     "val_fraction", "n_mels",
                          "seed",      "device", "threads", "skip_missing", "verbose", "model"};
  for (auto it = overrides.begin(); it != overrides.end(); ++it) {
    const bool ok = known_recipe.contains(it.key()) ||
                    std::find(known_top.begin(), known_top.end(), it.key()) != known_top.end();
    check(ok, "config", source, "unknown setting '" + it.key() + "'");
  }
  try {
    apply_recipe(c.recipe, overrides);
    apply_top(c, overrides);
  } catch (const json::exception& e) {
    throw Error("config", source, std::string("wrong type of value: ") + e.what());
  }
  validate(c);
  return c;
}

void validate(const TrainConfig& c) {
  const auto& r = c.recipe;
  auto need = [](bool ok, const std::string& what) { check(ok, "config", "", what); };
  models::model_spec(c.model);
  data::validate_compression(r.compression);
  need(r.train_frames > 0, "train_frames must be positive");
  need(r.eval_frames >= 0, "eval_frames must be >= 0 (0 = whole track)");
  need(is_crop(r.train_crop), "train_crop must be random, head or center");
  need(is_crop(r.eval_crop) || r.eval_crop == "chunks",
       "eval_crop must be random, head, center or chunks");
  need(r.eval_hop >= 0, "eval_hop must be >= 0 (0 = eval_frames / 2)");
  need(r.aggregate == "mean" || r.aggregate == "max" || r.aggregate == "logit_mean",
       "aggregate must be mean, max or logit_mean");
  need(r.spec_time_masks >= 0 && r.spec_time_width >= 0 && r.spec_freq_masks >= 0 &&
           r.spec_freq_width >= 0,
       "spec_*_masks and spec_*_width must be >= 0");
  need(r.mixup_alpha >= 0 && r.gain_db >= 0 && r.gain_db <= 60,
       "mixup_alpha must be >= 0 and gain_db in [0, 60]");
  need(r.label_smoothing >= 0 && r.label_smoothing < 1, "label_smoothing must be in [0, 1)");
  need(r.optimizer == "adamw" || r.optimizer == "sgd", "optimizer must be adamw or sgd");
  need(r.lr > 0 && r.weight_decay >= 0 && r.momentum >= 0, "lr, weight_decay, momentum invalid");
  need(r.batch_size >= 1 && r.batch_size <= 4096, "batch_size must be in [1, 4096]");
  need(r.epochs >= 1 && r.epochs <= 100000, "epochs must be >= 1");
  need(r.scheduler == "cosine" || r.scheduler == "plateau" || r.scheduler == "none",
       "scheduler must be cosine, plateau or none");
  need(r.plateau_factor > 0 && r.plateau_factor < 1 && r.plateau_patience >= 0,
       "plateau_factor must be in (0, 1)");
  need(r.dropout >= 0 && r.dropout < 1, "dropout must be in [0, 1)");
  need(r.min_tags >= 0, "min_tags must be >= 0");
  need(c.val_fraction > 0 && c.val_fraction < 0.9, "val_fraction must be in (0, 0.9)");
  need(c.n_mels > 0, "n_mels must be positive");
  need(c.threads >= 0, "threads must be >= 0");
}

json to_json(const TrainConfig& c) {
  return {{"data_root", c.data_root}, {"task", c.task},       {"model", c.model},
          {"out", c.out},             {"recipe", recipe_json(c.recipe)},
          {"val_fraction", c.val_fraction}, {"n_mels", c.n_mels}, {"seed", c.seed},
          {"device", c.device},       {"threads", c.threads}, {"skip_missing", c.skip_missing}};
}

TrainConfig config_from_json(const json& j, const std::string& source) {
  try {
    TrainConfig c;
    c.model = j.at("model").get<std::string>();
    c.recipe = models::model_spec(c.model).recipe;
    apply_recipe(c.recipe, j.at("recipe"));
    apply_top(c, j);
    validate(c);
    return c;
  } catch (const json::exception& e) {
    throw Error("config", source, std::string("invalid run config: ") + e.what());
  }
}

}  // namespace melclass::train
