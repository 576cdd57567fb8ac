#include "melclass/train/config.h"

#include <cstdint>
#include <limits>
#include <type_traits>

#include "melclass/core/error.h"
#include "melclass/core/runtime.h"
#include "melclass/data/spectrogram.h"
#include "melclass/io/json_table.h"
#include "melclass/models/registry.h"

using nlohmann::json;

namespace melclass::train {
namespace {

// Each setting is named once here; to_json, the override check and the
// readers below all expand these lists.
// clang-format off
#define MELCLASS_RECIPE_FIELDS(X)                                                        \
  X(compression) X(train_frames) X(train_crop) X(eval_frames) X(eval_crop) X(eval_hop)   \
  X(aggregate) X(optimizer) X(lr) X(momentum) X(nesterov) X(weight_decay) X(batch_size)  \
  X(epochs) X(scheduler) X(plateau_factor) X(plateau_patience) X(dropout) X(calibrate)   \
  X(min_tags) X(spec_time_masks) X(spec_time_width) X(spec_freq_masks)                   \
  X(spec_freq_width) X(mixup_alpha) X(gain_db) X(label_smoothing) X(normalize)           \
  X(early_stop) X(ema_decay) X(balanced) X(loss) X(calibrate_per_tag) X(use_text)        \
  X(text_buckets) X(text_dim) X(text_fields) X(select) X(classic_blend) X(classic_c)     \
  X(min_steps) X(multi_label_epochs) X(artist_pool) X(artist_prior) X(artist_tag_mix)
// clang-format on

// Top-level settings saved in config.json ("model" and "recipe" are handled
// apart; "verbose" is accepted but not saved).
// clang-format off
#define MELCLASS_TOP_FIELDS(X)                                                             \
  X(data_root) X(task) X(out) X(val_fraction) X(n_mels) X(seed) X(device) X(threads)      \
  X(skip_missing) X(cv_folds) X(cv_fold) X(fold_seed) X(workers) X(autocast)
// clang-format on

// Neither checkpoint selection, the plateau schedule nor early stopping reads
// validation scores: a run without a validation part loses nothing they need.
bool validation_chooses_nothing(const models::Recipe& r) {
  return r.select == "last" && r.scheduler != "plateau" && r.early_stop == 0;
}

json recipe_json(const models::Recipe& r) {
  json j = json::object();
#define MELCLASS_WRITE(field) j[#field] = r.field;
  MELCLASS_RECIPE_FIELDS(MELCLASS_WRITE)
#undef MELCLASS_WRITE
  return j;
}

// Reads j[key] into `out` when present, strictly: an integer setting takes a
// JSON integer that fits its type (not 1.5, true or 4294967297), a flag takes
// true/false, a number any JSON number; other types go through nlohmann's get
// (its type errors are reported by the callers).
template <typename T>
void read_setting(const json& j, const char* key, T& out, const std::string& source) {
  const auto it = j.find(key);
  if (it == j.end()) return;
  const json& v = *it;
  auto need = [&](bool ok, const char* what) {
    check(ok, "config", source,
          std::string("setting '") + key + "' must be " + what + ", not " + io::brief(v));
  };
  if constexpr (std::is_same_v<T, bool>) {
    need(v.is_boolean(), "true or false");
    out = v.get<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    need(v.is_number_integer(), "an integer");
    using Limits = std::numeric_limits<T>;
    if (v.is_number_unsigned()) {
      need(v.get<uint64_t>() <= static_cast<uint64_t>(Limits::max()), "a smaller integer");
    } else {
      const int64_t i = v.get<int64_t>();
      need(i >= 0 || std::is_signed_v<T>, "a non-negative integer");
      need(i < 0 || static_cast<uint64_t>(i) <= static_cast<uint64_t>(Limits::max()),
           "a smaller integer");
      need(i >= 0 || i >= static_cast<int64_t>(Limits::min()), "a larger integer");
    }
    out = v.get<T>();
  } else if constexpr (std::is_floating_point_v<T>) {
    need(v.is_number(), "a number");
    out = v.get<T>();
  } else {
    try {
      out = v.get<T>();
    } catch (const json::exception&) {
      need(false, std::is_same_v<T, std::string> ? "a string" : "a list of strings");
    }
  }
}

void apply_recipe(models::Recipe& r, const json& j, const std::string& source) {
#define MELCLASS_READ(field) read_setting(j, #field, r.field, source);
  MELCLASS_RECIPE_FIELDS(MELCLASS_READ)
#undef MELCLASS_READ
}

void apply_top(TrainConfig& c, const json& j, const std::string& source) {
#define MELCLASS_READ(field) read_setting(j, #field, c.field, source);
  MELCLASS_TOP_FIELDS(MELCLASS_READ)
#undef MELCLASS_READ
  read_setting(j, "verbose", c.verbose, source);
}

bool is_top_setting(const std::string& key) {
#define MELCLASS_MATCH(field) \
  if (key == #field) return true;
  MELCLASS_TOP_FIELDS(MELCLASS_MATCH)
#undef MELCLASS_MATCH
  return key == "verbose" || key == "model";
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
  for (auto it = overrides.begin(); it != overrides.end(); ++it)
    check(known_recipe.contains(it.key()) || is_top_setting(it.key()), "config", source,
          "unknown setting '" + it.key() + "'");
  try {
    apply_recipe(c.recipe, overrides, source);
    apply_top(c, overrides, source);
    // "epochs: N" given on its own means exactly N epochs, on every task.
    if (overrides.contains("epochs")) {
      if (!overrides.contains("min_steps")) c.recipe.min_steps = 0;
      if (!overrides.contains("multi_label_epochs")) c.recipe.multi_label_epochs = 0;
    }
  } catch (const json::exception& e) {
    throw Error("config", source, "wrong type of value: " + io::json_error_text(e));
  }
  validate(c);
  return c;
}

double auto_val_fraction(const TrainConfig& c, bool multi_label) {
  if (c.val_fraction != kAutoValFraction) return c.val_fraction;
  return !multi_label && validation_chooses_nothing(c.recipe) ? 0.0 : kDefaultValFraction;
}

int task_epochs(const models::Recipe& r, bool multi_label) {
  return multi_label && r.multi_label_epochs > 0 ? r.multi_label_epochs : r.epochs;
}

uint64_t folds_seed(const TrainConfig& c) {
  return c.fold_seed < 0 ? c.seed : static_cast<uint64_t>(c.fold_seed);
}

namespace {

void need(bool ok, const std::string& what) { check(ok, "config", "", what); }

// Input, cropping, chunked evaluation and augmentation settings.
void validate_input(const models::Recipe& r) {
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
  need(r.normalize == "band" || r.normalize == "none", "normalize must be band or none");
}

// Optimisation, checkpoint selection and the model's own settings.
void validate_training(const models::Recipe& r) {
  need(r.optimizer == "adamw" || r.optimizer == "sgd", "optimizer must be adamw or sgd");
  // Bounded so that LibTorch's float conversion never overflows (1e39 did).
  need(r.lr > 0 && r.lr <= 1e6, "lr must be in (0, 1e6]");
  need(r.weight_decay >= 0 && r.weight_decay <= 1e6, "weight_decay must be in [0, 1e6]");
  need(r.momentum >= 0 && r.momentum <= 1, "momentum must be in [0, 1]");
  need(r.batch_size >= 1 && r.batch_size <= 4096, "batch_size must be in [1, 4096]");
  need(r.epochs >= 1 && r.epochs <= 100000, "epochs must be >= 1");
  need(r.scheduler == "cosine" || r.scheduler == "plateau" || r.scheduler == "none",
       "scheduler must be cosine, plateau or none");
  need(r.plateau_factor > 0 && r.plateau_factor < 1 && r.plateau_patience >= 0,
       "plateau_factor must be in (0, 1)");
  need(r.dropout >= 0 && r.dropout < 1, "dropout must be in [0, 1)");
  need(r.early_stop >= 0, "early_stop must be >= 0 (0 = off)");
  need(r.min_steps >= 0 && r.min_steps <= 10'000'000, "min_steps must be in [0, 1e7] (0 = off)");
  need(r.multi_label_epochs >= 0, "multi_label_epochs must be >= 0 (0 = epochs)");
  need(r.select == "best" || r.select == "last", "select must be best or last");
  need(r.ema_decay >= 0 && r.ema_decay < 1, "ema_decay must be in [0, 1)");
  need(r.loss == "bce" || r.loss == "asl", "loss must be bce or asl");
  need(r.text_buckets >= 2 && r.text_buckets <= (int64_t{1} << 26) && r.text_dim >= 0 &&
           r.text_dim <= 4096,
       "text_buckets must be in [2, 2^26] and text_dim in [0, 4096] (0: linear text model)");
  for (const auto& f : r.text_fields) need(!f.empty(), "text_fields: empty field name");
}

// Prediction-time settings: experts, artist pooling and priors, tag count.
void validate_prediction(const models::Recipe& r) {
  need(r.min_tags >= 0, "min_tags must be >= 0");
  need(r.classic_blend >= 0 && r.classic_blend < 1 && r.classic_c > 0,
       "classic_blend must be in [0, 1) and classic_c > 0");
  need(r.artist_pool >= 0 && r.artist_pool <= 1, "artist_pool must be in [0, 1]");
  need(r.artist_prior >= 0 && r.artist_prior <= 10, "artist_prior must be in [0, 10]");
  need(r.artist_tag_mix >= 0 && r.artist_tag_mix <= 1, "artist_tag_mix must be in [0, 1]");
}

}  // namespace

void validate(const TrainConfig& c) {
  models::model_spec(c.model);
  validate_input(c.recipe);
  validate_training(c.recipe);
  validate_prediction(c.recipe);
  need(c.fold_seed >= -1, "fold_seed must be -1 (= seed) or >= 0");
  need(c.cv_folds == 0 || (c.cv_folds >= 2 && c.cv_fold >= 0 && c.cv_fold < c.cv_folds),
       "cv_folds must be 0 or >= 2, with cv_fold in [0, cv_folds)");
  need(c.val_fraction == kAutoValFraction || (c.val_fraction >= 0 && c.val_fraction < 0.9),
       "val_fraction must be -1 (auto) or in [0, 0.9)");
  need(c.val_fraction != 0 || validation_chooses_nothing(c.recipe),
       "val_fraction 0 (no validation part) needs select last, no plateau scheduler and "
       "early_stop 0");
  need(c.n_mels > 0, "n_mels must be positive");
  need(c.threads >= 0 && c.threads <= kMaxThreads,
       "threads must be in [0, " + std::to_string(kMaxThreads) + "]");
  need(c.workers >= 0 && c.workers <= 64, "workers must be in [0, 64]");
  parse_autocast(c.autocast, "config");
}

json to_json(const TrainConfig& c) {
  json j = {{"model", c.model}, {"recipe", recipe_json(c.recipe)}};
#define MELCLASS_WRITE(field) j[#field] = c.field;
  MELCLASS_TOP_FIELDS(MELCLASS_WRITE)
#undef MELCLASS_WRITE
  return j;
}

TrainConfig config_from_json(const json& j, const std::string& source) {
  try {
    TrainConfig c;
    c.model = j.at("model").get<std::string>();
    c.recipe = models::model_spec(c.model).recipe;
    apply_recipe(c.recipe, j.at("recipe"), source);
    apply_top(c, j, source);
    validate(c);
    return c;
  } catch (const json::exception& e) {
    throw Error("config", source, "invalid run config: " + io::json_error_text(e));
  }
}

}  // namespace melclass::train
