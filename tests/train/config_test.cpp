// train::resolve_config, validate, to_json / config_from_json.

#include <gtest/gtest.h>

#include "core/testing.h"
#include "melclass/models/registry.h"
#include "melclass/train/config.h"

using nlohmann::json;
using namespace melclass;
using train::config_from_json;
using train::folds_seed;
using train::resolve_config;
using train::to_json;

TEST(Config, DefaultsComeFromTheModelRecipe) {
  const auto c = resolve_config("tcnet", json::object());
  EXPECT_EQ(c.model, "tcnet");
  EXPECT_EQ(c.recipe.train_frames, 256);
  EXPECT_EQ(c.recipe.optimizer, "adamw");
  EXPECT_DOUBLE_EQ(c.recipe.lr, 2e-3);
  EXPECT_EQ(c.recipe.epochs, 40);
  EXPECT_EQ(c.recipe.scheduler, "cosine");
  EXPECT_DOUBLE_EQ(c.val_fraction, train::kAutoValFraction);
  EXPECT_EQ(c.n_mels, 128);
  EXPECT_EQ(c.seed, 0u);
  EXPECT_EQ(c.device, "cpu");
  EXPECT_EQ(c.threads, 0);
  EXPECT_EQ(c.task, "");
  EXPECT_FALSE(c.skip_missing);

  const auto b = resolve_config("baseline", json::object());
  EXPECT_EQ(b.recipe.optimizer, "sgd");
  EXPECT_TRUE(b.recipe.nesterov);
  EXPECT_EQ(b.recipe.train_frames, 1200);
  EXPECT_EQ(b.recipe.scheduler, "plateau");
  EXPECT_DOUBLE_EQ(b.recipe.dropout, 0.5);
}

TEST(Config, OverridesApply) {
  const json o = {{"epochs", 2},
                  {"lr", 0.05},
                  {"train_frames", 64},
                  {"batch_size", 3},
                  {"seed", 42},
                  {"data_root", "/data"},
                  {"out", "/runs/a"},
                  {"threads", 1},
                  {"task", "mood"},
                  {"val_fraction", 0.25},
                  {"scheduler", "none"},
                  {"compression", "db"},
                  {"train_crop", "center"},
                  {"skip_missing", true},
                  {"dropout", 0.0},
                  {"calibrate", false},
                  {"min_tags", 2}};
  const auto c = resolve_config("tcnet", o, "cfg.json");
  EXPECT_EQ(c.recipe.epochs, 2);
  EXPECT_DOUBLE_EQ(c.recipe.lr, 0.05);
  EXPECT_EQ(c.recipe.train_frames, 64);
  EXPECT_EQ(c.recipe.batch_size, 3);
  EXPECT_EQ(c.seed, 42u);
  EXPECT_EQ(c.data_root, "/data");
  EXPECT_EQ(c.out, "/runs/a");
  EXPECT_EQ(c.threads, 1);
  EXPECT_EQ(c.task, "mood");
  EXPECT_DOUBLE_EQ(c.val_fraction, 0.25);
  EXPECT_EQ(c.recipe.scheduler, "none");
  EXPECT_EQ(c.recipe.compression, "db");
  EXPECT_EQ(c.recipe.train_crop, "center");
  EXPECT_TRUE(c.skip_missing);
  EXPECT_DOUBLE_EQ(c.recipe.dropout, 0.0);
  EXPECT_FALSE(c.recipe.calibrate);
  EXPECT_EQ(c.recipe.min_tags, 2);
  // Untouched settings keep the recipe's values.
  EXPECT_EQ(c.recipe.optimizer, "adamw");
  EXPECT_DOUBLE_EQ(c.recipe.weight_decay, 1e-2);
}

TEST(Config, ModelKeySelectsAnotherRecipe) {
  const auto c = resolve_config("tcnet", {{"model", "baseline"}, {"epochs", 3}});
  EXPECT_EQ(c.model, "baseline");
  EXPECT_EQ(c.recipe.optimizer, "sgd");
  EXPECT_EQ(c.recipe.epochs, 3);
}

TEST(Config, UnknownKeysAndModels) {
  EXPECT_MELCLASS_ERROR(resolve_config("tcnet", {{"epoch", 2}}, "my.json"),
                        "config: my.json: unknown setting 'epoch'");
  EXPECT_MELCLASS_ERROR(resolve_config("tcnet", {{"lr", 0.1}, {"learning_rate", 0.1}}),
                        "unknown setting 'learning_rate'");
  EXPECT_MELCLASS_ERROR(resolve_config("vgg", json::object()), "unknown model 'vgg'");
  EXPECT_MELCLASS_ERROR(resolve_config("tcnet", json::array({1})), "expected a JSON object");
}

TEST(Config, WrongTypes) {
  EXPECT_MELCLASS_ERROR(resolve_config("tcnet", {{"epochs", "two"}}, "c.json"), "c.json",
                        "setting 'epochs' must be an integer, not \"two\"");
  EXPECT_MELCLASS_ERROR(resolve_config("tcnet", {{"nesterov", 1}}),
                        "'nesterov' must be true or false");
  EXPECT_MELCLASS_ERROR(resolve_config("tcnet", {{"out", 5}}), "'out' must be a string, not 5");
  EXPECT_MELCLASS_ERROR(resolve_config("tcnet", {{"lr", true}}), "'lr' must be a number");
}

// Integer settings take JSON integers that fit: no silent truncation or wrap.
TEST(Config, IntegersAreNotCoerced) {
  EXPECT_MELCLASS_ERROR(resolve_config("tcnet", {{"epochs", 1.5}}), "'epochs' must be an integer");
  EXPECT_MELCLASS_ERROR(resolve_config("tcnet", {{"epochs", true}}), "'epochs' must be an integer");
  EXPECT_MELCLASS_ERROR(resolve_config("tcnet", {{"epochs", 4294967297LL}}), "a smaller integer");
  EXPECT_MELCLASS_ERROR(resolve_config("tcnet", {{"seed", -1}}), "a non-negative integer");
  EXPECT_MELCLASS_ERROR(resolve_config("tcnet", {{"seed", 1e30}}), "'seed' must be an integer");
  EXPECT_MELCLASS_ERROR(resolve_config("tcnet", {{"threads", 100000}}),
                        "threads must be in [0, 256]");
  EXPECT_EQ(resolve_config("tcnet", {{"seed", 18446744073709551615ULL}}).seed,
            18446744073709551615ULL);
  EXPECT_EQ(resolve_config("tcnet", {{"fold_seed", -1}}).fold_seed, -1);
  EXPECT_DOUBLE_EQ(resolve_config("tcnet", {{"lr", 1}}).recipe.lr, 1.0);  // an integer is a number
}

TEST(Config, InvalidValues) {
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"classic_blend", 1.0}}, "classic_blend"},
      {{{"classic_blend", -0.1}}, "classic_blend"},
      {{{"classic_c", 0.0}}, "classic_c"},
      {{{"epochs", 0}}, "epochs"},
      {{{"batch_size", 0}}, "batch_size"},
      {{{"batch_size", 5000}}, "batch_size"},
      {{{"train_frames", 0}}, "train_frames"},
      {{{"eval_frames", -1}}, "eval_frames"},
      {{{"optimizer", "adam"}}, "optimizer"},
      {{{"scheduler", "step"}}, "scheduler"},
      {{{"compression", "log"}}, "unknown compression 'log'"},
      {{{"train_crop", "left"}}, "crop"},
      {{{"eval_crop", "tail"}}, "crop"},
      {{{"val_fraction", 0.0}}, "val_fraction"},
      {{{"val_fraction", 0.95}}, "val_fraction"},
      {{{"dropout", 1.0}}, "dropout"},
      {{{"lr", 0.0}}, "lr"},
      {{{"weight_decay", -1.0}}, "weight_decay"},
      {{{"plateau_factor", 1.0}}, "plateau_factor"},
      {{{"n_mels", 0}}, "n_mels"},
      {{{"threads", -1}}, "threads"},
      {{{"min_tags", -1}}, "min_tags"},
      {{{"train_crop", "chunks"}}, "train_crop"},
      {{{"eval_hop", -1}}, "eval_hop"},
      {{{"aggregate", "median"}}, "aggregate"},
      {{{"spec_time_masks", -1}}, "spec_"},
      {{{"spec_freq_width", -2}}, "spec_"},
      {{{"mixup_alpha", -0.1}}, "mixup_alpha"},
      {{{"gain_db", -1.0}}, "gain_db"},
      {{{"label_smoothing", 1.0}}, "label_smoothing"},
      {{{"fold_seed", -2}}, "fold_seed"},
      {{{"min_steps", -1}}, "min_steps"},
  };
  // Not a structured binding: C++17 lets no lambda (inside the macro) capture one.
  for (const auto& c : cases) {
    const json& overrides = c.first;
    SCOPED_TRACE(overrides.dump());
    EXPECT_MELCLASS_ERROR(resolve_config("tcnet", overrides), c.second);
  }
}

// Auto validation share: none where it would choose nothing (single-label,
// last epoch, no plateau, no early stopping), 0.1 otherwise; a number given wins.
TEST(Config, AutoValFractionDependsOnTaskAndRecipe) {
  const auto crnn = resolve_config("crnn", json::object());
  EXPECT_EQ(train::auto_val_fraction(crnn, /*multi_label=*/false), 0.0);
  EXPECT_EQ(train::auto_val_fraction(crnn, /*multi_label=*/true), 0.1);
  EXPECT_EQ(train::auto_val_fraction(resolve_config("tcnet", json::object()), false), 0.1);
  const std::vector<json> needing_validation = {
      {{"select", "best"}}, {{"scheduler", "plateau"}}, {{"early_stop", 3}}};
  for (const json& o : needing_validation)
    EXPECT_EQ(train::auto_val_fraction(resolve_config("crnn", o), false), 0.1) << o;
  EXPECT_EQ(train::auto_val_fraction(resolve_config("crnn", {{"val_fraction", 0.3}}), false), 0.3);
}

// An explicit epochs override means exactly that many epochs, unless
// min_steps is given too.
TEST(Config, ExplicitEpochsTurnMinStepsOff) {
  EXPECT_EQ(resolve_config("crnn", json::object()).recipe.min_steps, 640);
  EXPECT_EQ(resolve_config("crnn", {{"epochs", 3}}).recipe.min_steps, 0);
  EXPECT_EQ(resolve_config("crnn", {{"epochs", 3}, {"min_steps", 50}}).recipe.min_steps, 50);
  EXPECT_EQ(resolve_config("crnn", {{"lr", 0.01}}).recipe.min_steps, 640);
}

TEST(Config, MultiLabelTasksMayTrainLonger) {
  const auto crnn = resolve_config("crnn", json::object());
  EXPECT_EQ(train::task_epochs(crnn.recipe, /*multi_label=*/false), 80);
  EXPECT_EQ(train::task_epochs(crnn.recipe, /*multi_label=*/true), 120);
  const auto exact = resolve_config("crnn", {{"epochs", 3}});  // exactly 3, on every task
  EXPECT_EQ(train::task_epochs(exact.recipe, true), 3);
  const auto both = resolve_config("crnn", {{"epochs", 3}, {"multi_label_epochs", 5}});
  EXPECT_EQ(train::task_epochs(both.recipe, true), 5);
  EXPECT_EQ(train::task_epochs(resolve_config("tcnet", json::object()).recipe, true), 40);
  EXPECT_THROW(resolve_config("crnn", {{"multi_label_epochs", -1}}), Error);
}

TEST(Config, FoldSeedDefaultsToTheRunSeed) {
  EXPECT_EQ(folds_seed(resolve_config("crnn", {{"seed", 7}})), 7u);
  EXPECT_EQ(folds_seed(resolve_config("crnn", {{"seed", 7}, {"fold_seed", 0}})), 0u);
  const auto c = resolve_config("crnn", {{"fold_seed", 3}});
  EXPECT_EQ(config_from_json(to_json(c), "config.json").fold_seed, 3);
}

TEST(Config, JsonRoundTrip) {
  const auto c = resolve_config("baseline", {{"epochs", 3},
                                             {"seed", 9},
                                             {"task", "genre"},
                                             {"data_root", "/d"},
                                             {"out", "/o"},
                                             {"lr", 0.125},
                                             {"threads", 2},
                                             {"eval_frames", 600}});
  const json j = train::to_json(c);
  EXPECT_EQ(j["model"], "baseline");
  EXPECT_EQ(j["recipe"]["epochs"], 3);
  const auto back = train::config_from_json(j, "config.json");
  EXPECT_EQ(train::to_json(back), j);
  EXPECT_EQ(back.recipe.eval_frames, 600);
  EXPECT_DOUBLE_EQ(back.recipe.lr, 0.125);
  EXPECT_EQ(back.seed, 9u);
  EXPECT_EQ(back.task, "genre");
}

TEST(Config, TextFieldsRoundTripAndAreChecked) {
  const auto c = resolve_config("text", {{"text_fields", {"genre", "track_title"}}});
  const std::vector<std::string> want = {"genre", "track_title"};
  EXPECT_EQ(c.recipe.text_fields, want);
  EXPECT_EQ(train::config_from_json(train::to_json(c), "config.json").recipe.text_fields, want);
  EXPECT_TRUE(resolve_config("text", json::object()).recipe.text_fields.empty());
  EXPECT_THROW(resolve_config("text", {{"text_fields", {""}}}), melclass::Error);
  EXPECT_THROW(resolve_config("text", {{"text_fields", "genre"}}), melclass::Error);
}

TEST(Config, FromJsonErrorsNameSource) {
  const json good = train::to_json(resolve_config("tcnet", json::object()));
  json no_recipe = good;
  no_recipe.erase("recipe");
  EXPECT_MELCLASS_ERROR(train::config_from_json(no_recipe, "run/config.json"),
                        "config: run/config.json: invalid run config");
  json no_model = good;
  no_model.erase("model");
  EXPECT_MELCLASS_ERROR(train::config_from_json(no_model, "run/config.json"), "invalid run config");
  json bad_value = good;
  bad_value["recipe"]["epochs"] = 0;
  EXPECT_MELCLASS_ERROR(train::config_from_json(bad_value, "run/config.json"), "epochs");
}
