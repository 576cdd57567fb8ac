// train::train_model end to end on a tiny synthetic dataset, and load_run.

#include <fstream>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/testing.h"
#include "melclass/core/atomic_file.h"
#include "melclass/data/dataset.h"
#include "melclass/data/spectrogram.h"
#include "melclass/data/synth.h"
#include "melclass/io/npy.h"
#include "melclass/models/classic.h"
#include "melclass/models/registry.h"
#include "melclass/text/featurizer.h"
#include "melclass/train/run_dir.h"
#include "melclass/train/schedule.h"
#include "melclass/train/trainer.h"
#include "train/train_testing.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace melclass;
using melclass::testing::TempDir;
using melclass::testing::tiny_config;
using melclass::testing::write_synth;

namespace {

std::vector<json> read_jsonl(const fs::path& path) {
  std::vector<json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

std::vector<at::Tensor> parameters_of(const fs::path& run) {
  std::vector<at::Tensor> out;
  auto loaded = train::load_run(run, torch::kCPU);
  for (const auto& p : loaded.model->parameters()) out.push_back(p.detach().clone());
  for (const auto& b : loaded.model->buffers()) out.push_back(b.detach().clone());
  return out;
}

bool same_weights(const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!torch::equal(a[i], b[i])) return false;
  return true;
}

// The run folder's JSON files record what train_model returned and logged.
void expect_run_files_match(const fs::path& run, const train::TrainResult& result,
                            const std::vector<train::EpochLog>& logs) {
  const auto metrics = read_jsonl(train::metrics_file(run));
  ASSERT_EQ(metrics.size(), 2u);
  EXPECT_EQ(metrics[0]["epoch"], 1);
  EXPECT_DOUBLE_EQ(metrics[0]["train_loss"].get<double>(), logs[0].train_loss);
  EXPECT_TRUE(metrics[1].contains("val_accuracy"));
  const json config = json::parse(read_text_file(train::config_file(run)));
  EXPECT_EQ(config["task"], "station");  // detected, then recorded
  EXPECT_EQ(config["model"], "tcnet");
  EXPECT_EQ(config["recipe"]["train_frames"], 64);
  const json labels = json::parse(read_text_file(train::vocab_file(run)));
  EXPECT_EQ(labels["labels"], json::array({"Q1", "Q2", "Q3", "Q4"}));
  EXPECT_EQ(labels["multi_label"], false);
  const json summary = json::parse(read_text_file(train::summary_file(run)));
  EXPECT_EQ(summary["best_epoch"], result.best_epoch);
  EXPECT_EQ(summary["train_tracks"], result.train_tracks);
  EXPECT_FALSE(fs::exists(train::calibration_file(run))) << "single-label runs need none";
}

// Same seed: the same losses and the same weights as `run`. Another seed: other losses.
void expect_reproducible(const fs::path& root, const fs::path& dir, const fs::path& run) {
  train::train_model(tiny_config(root, dir / "run2"));
  train::train_model(tiny_config(root, dir / "run3", /*seed=*/2));
  const auto metrics = read_jsonl(train::metrics_file(run));
  const auto again = read_jsonl(train::metrics_file(dir / "run2"));
  const auto other = read_jsonl(train::metrics_file(dir / "run3"));
  ASSERT_EQ(metrics.size(), 2u);
  ASSERT_EQ(again.size(), 2u);
  for (size_t e = 0; e < 2; ++e) {
    EXPECT_EQ(again[e]["train_loss"], metrics[e]["train_loss"]) << "epoch " << e + 1;
    EXPECT_EQ(again[e]["val_loss"], metrics[e]["val_loss"]) << "epoch " << e + 1;
  }
  EXPECT_NE(other[0]["train_loss"], metrics[0]["train_loss"]);
  const auto p1 = parameters_of(run), p2 = parameters_of(dir / "run2");
  ASSERT_EQ(p1.size(), p2.size());
  for (size_t i = 0; i < p1.size(); ++i) EXPECT_TRUE(torch::equal(p1[i], p2[i])) << "tensor " << i;
}

}  // namespace

TEST(Trainer, EndToEndWritesRunFolderAndIsReproducible) {
  TempDir dir("train");
  const fs::path root = dir / "data";
  write_synth(root);
  std::vector<train::EpochLog> logs;
  const auto result = train::train_model(tiny_config(root, dir / "run1"),
                                         [&](const train::EpochLog& l) { logs.push_back(l); });
  const fs::path run = dir / "run1";
  for (const auto& f : {train::config_file(run), train::vocab_file(run), train::metrics_file(run),
                        train::checkpoint_file(run), train::summary_file(run)})
    EXPECT_TRUE(fs::is_regular_file(f)) << f;

  // 24 tracks: 4 test, 20 train; validation = about 10% of them, whole artists
  // (train/split.h), so a few tracks.
  EXPECT_EQ(result.train_tracks + result.val_tracks, 20);
  EXPECT_GE(result.val_tracks, 1);
  EXPECT_LE(result.val_tracks, 5);
  EXPECT_EQ(result.metric_name, "accuracy");
  EXPECT_TRUE(result.best_epoch == 1 || result.best_epoch == 2);
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(logs[0].epoch, 1);
  EXPECT_EQ(logs[1].epoch, 2);
  for (const auto& l : logs) {
    EXPECT_TRUE(std::isfinite(l.train_loss) && l.train_loss > 0) << l.train_loss;
    EXPECT_GE(l.val_metric, 0.0);
    EXPECT_LE(l.val_metric, 1.0);
  }
  expect_run_files_match(run, result, logs);

  // The saved run loads back into a working model.
  auto loaded = train::load_run(run, torch::kCPU);
  EXPECT_EQ(loaded.vocab.size(), 4u);
  EXPECT_FALSE(loaded.model->is_training());
  EXPECT_EQ(loaded.model->forward(torch::rand({1, 128, 100})).sizes().vec(),
            (std::vector<int64_t>{1, 4}));
  expect_reproducible(root, dir.path(), run);
}

// select "last" keeps the final epoch's weights, "best" those of the best
// validation epoch. With a constant learning rate a shorter run is a prefix of
// a longer one (same seed), so "last" after b epochs is the reference for
// "best" at epoch b. Seed 4 peaks at epoch 2 of 4 here (LibTorch 1.13, CPU).
TEST(Trainer, SelectKeepsTheLastOrTheBestEpoch) {
  TempDir dir("train-select");
  write_synth(dir / "data");
  auto config = [&](const std::string& name, const std::string& select, int epochs) {
    auto c = tiny_config(dir / "data", dir / name, /*seed=*/4);
    c.recipe.scheduler = "none", c.recipe.select = select, c.recipe.epochs = epochs;
    c.recipe.lr = 3e-3;
    return c;
  };
  const auto last = train::train_model(config("last", "last", 4));
  EXPECT_EQ(last.epochs_run, 4);
  EXPECT_EQ(last.kept_epoch, 4);
  EXPECT_EQ(json::parse(read_text_file(train::summary_file(dir / "last")))["kept_epoch"], 4);
  const auto best = train::train_model(config("best", "best", 4));
  EXPECT_EQ(best.best_epoch, last.best_epoch) << "same seed, same validation scores";
  EXPECT_EQ(best.kept_epoch, best.best_epoch);
  train::train_model(config("prefix", "last", best.best_epoch));
  EXPECT_TRUE(same_weights(parameters_of(dir / "best"), parameters_of(dir / "prefix")))
      << "best kept epoch " << best.best_epoch;
  EXPECT_EQ(same_weights(parameters_of(dir / "last"), parameters_of(dir / "best")),
            best.best_epoch == 4);
}

// min_steps raises the epochs on a small training set (and config.json says
// how many ran); it never lowers them.
TEST(Trainer, MinStepsAddsEpochsOnSmallTrainingSets) {
  TempDir dir("train-minsteps");
  write_synth(dir / "data");
  auto c = tiny_config(dir / "data", dir / "run");  // 2 epochs, batch 8
  c.recipe.min_steps = 9;
  const auto r = train::train_model(c);
  const int64_t per_epoch = (r.train_tracks + 7) / 8;
  const int64_t want = std::max<int64_t>(2, (9 + per_epoch - 1) / per_epoch);
  EXPECT_GT(want, 2) << "the test needs min_steps to matter";
  EXPECT_EQ(r.epochs_run, want);
  const json saved = json::parse(read_text_file(train::config_file(dir / "run")));
  EXPECT_EQ(saved["recipe"]["epochs"], want);
  c.recipe.min_steps = 1, c.out = (dir / "run2").string();
  EXPECT_EQ(train::train_model(c).epochs_run, 2);
}

// metrics.jsonl's "lr" is the rate the epoch's last step used (it was the
// previous epoch's: the base rate at epoch 1, before warmup had run).
TEST(Trainer, LoggedLearningRateIsTheEpochsLastStep) {
  TempDir dir("train-lr");
  write_synth(dir / "data");
  auto c = tiny_config(dir / "data", dir / "run");  // 2 epochs
  c.recipe.scheduler = "cosine", c.recipe.batch_size = 4;
  const auto r = train::train_model(c);
  const int64_t per_epoch = train::batches_per_epoch(r.train_tracks, 4);
  ASSERT_GE(per_epoch, 3) << "epoch 1's last step must be past the one warmup step";
  const auto metrics = read_jsonl(train::metrics_file(dir / "run"));
  ASSERT_EQ(metrics.size(), 2u);
  for (int64_t e = 0; e < 2; ++e)
    EXPECT_DOUBLE_EQ(metrics[e]["lr"].get<double>(),
                     train::warmup_cosine_lr(c.recipe.lr, (e + 1) * per_epoch - 1, 2 * per_epoch))
        << "epoch " << e + 1;
  EXPECT_LT(metrics[0]["lr"].get<double>(), c.recipe.lr);
}

// val_fraction 0: every training track trains, nothing is scored, the last
// epoch is kept; settings that need a validation part are refused.
TEST(Trainer, NoValidationPartTrainsOnEveryTrack) {
  TempDir dir("train-noval");
  write_synth(dir / "data");
  auto c = tiny_config(dir / "data", dir / "run");
  c.val_fraction = 0, c.recipe.select = "last";
  std::vector<train::EpochLog> logs;
  const auto r = train::train_model(c, [&](const train::EpochLog& l) { logs.push_back(l); });
  EXPECT_EQ(r.train_tracks, 20);  // 24 tracks, 4 of them test
  EXPECT_EQ(r.val_tracks, 0);
  EXPECT_EQ(r.kept_epoch, 2);
  EXPECT_EQ(r.best_epoch, 0);
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_TRUE(std::isnan(logs[1].val_metric) && std::isnan(logs[1].val_loss));
  EXPECT_FALSE(logs[1].best);
  const auto metrics = read_jsonl(train::metrics_file(dir / "run"));
  EXPECT_TRUE(metrics.at(1)["val_accuracy"].is_null()) << metrics.at(1);
  const json summary = json::parse(read_text_file(train::summary_file(dir / "run")));
  EXPECT_TRUE(summary["best_val_accuracy"].is_null()) << summary;
  EXPECT_EQ(summary["kept_epoch"], 2);
  const auto loaded = train::load_run(dir / "run", torch::kCPU);
  EXPECT_EQ(loaded.model->forward(torch::rand({1, 128, 100})).size(1), 4);

  c.out = (dir / "refused").string();
  for (const char* bad : {"select", "plateau", "early_stop"}) {
    auto b = c;
    if (std::string(bad) == "select") b.recipe.select = "best";
    if (std::string(bad) == "plateau") b.recipe.scheduler = "plateau";
    if (std::string(bad) == "early_stop") b.recipe.early_stop = 3;
    EXPECT_MELCLASS_ERROR(train::train_model(b), "val_fraction 0");
  }
  write_synth(dir / "mood", data::Task::kMood);
  auto m = tiny_config(dir / "mood", dir / "refused");
  m.val_fraction = 0, m.recipe.select = "last";
  EXPECT_MELCLASS_ERROR(train::train_model(m), "train_label",
                        "calibration needs a validation part");
  EXPECT_FALSE(fs::exists(dir / "refused"));
  m.recipe.calibrate = false;
  m.out = (dir / "mood-run").string();
  EXPECT_EQ(train::train_model(m).val_tracks, 0);
}

TEST(Trainer, AugmentedChunkedRunIsReproducible) {
  TempDir dir("train-aug");
  write_synth(dir / "data");
  auto config = [&](const std::string& name, uint64_t seed) {
    auto c = tiny_config(dir / "data", dir / name, seed);
    auto& r = c.recipe;
    r.spec_time_masks = 2, r.spec_time_width = 16, r.spec_freq_masks = 2, r.spec_freq_width = 8;
    r.mixup_alpha = 0.4, r.gain_db = 6, r.label_smoothing = 0.1;
    r.eval_frames = 64, r.eval_crop = "chunks", r.eval_hop = 32, r.aggregate = "logit_mean";
    return c;
  };
  train::train_model(config("a", 1));
  train::train_model(config("b", 1));
  train::train_model(config("c", 2));
  const auto a = read_jsonl(train::metrics_file(dir / "a"));
  const auto b = read_jsonl(train::metrics_file(dir / "b"));
  const auto c = read_jsonl(train::metrics_file(dir / "c"));
  ASSERT_EQ(a.size(), 2u);
  for (size_t e = 0; e < 2; ++e) {
    EXPECT_EQ(a[e]["train_loss"], b[e]["train_loss"]) << "epoch " << e + 1;
    EXPECT_EQ(a[e]["val_loss"], b[e]["val_loss"]) << "epoch " << e + 1;
  }
  EXPECT_NE(a[0]["train_loss"], c[0]["train_loss"]);
  // The augmentation and chunking settings travel in config.json.
  const auto loaded = train::load_run(dir / "a", torch::kCPU);
  EXPECT_EQ(loaded.config.recipe.mixup_alpha, 0.4);
  EXPECT_EQ(loaded.config.recipe.spec_freq_width, 8);
  EXPECT_EQ(loaded.config.recipe.eval_crop, "chunks");
  EXPECT_EQ(loaded.config.recipe.aggregate, "logit_mean");
}

TEST(Trainer, MultiLabelTaskTrains) {
  TempDir dir("train-mood");
  write_synth(dir / "data", data::Task::kMood);
  auto c = tiny_config(dir / "data", dir / "run");
  c.recipe.epochs = 1;
  c.recipe.classic_blend = 0.3;  // single-label only: no expert here
  // An earlier run in the folder: train replaces it whole, stale files included.
  melclass::testing::write_json(train::config_file(dir / "run"), json::object());
  melclass::testing::write_json(train::classic_file(dir / "run"), json::object());  // stale
  const auto result = train::train_model(c);
  EXPECT_FALSE(fs::exists(train::classic_file(dir / "run")));
  EXPECT_EQ(result.metric_name, "micro_f1");
  const auto loaded = train::load_run(dir / "run", torch::kCPU);
  EXPECT_TRUE(loaded.vocab.multi_label());
  EXPECT_GT(loaded.vocab.size(), 4u);
  EXPECT_EQ(loaded.config.task, "mood");
  EXPECT_TRUE(fs::is_regular_file(train::calibration_file(dir / "run")));
}

TEST(Trainer, ClassicExpertIsFittedStoredAndBlendedAtPrediction) {
  TempDir dir("train-classic");
  write_synth(dir / "data");
  auto c = tiny_config(dir / "data", dir / "run");
  c.recipe.epochs = 1;
  c.recipe.classic_blend = 0.25;
  train::train_model(c);
  ASSERT_TRUE(fs::is_regular_file(train::classic_file(dir / "run")));
  auto loaded = train::load_run(dir / "run", torch::kCPU);
  ASSERT_TRUE(loaded.classic);
  const auto ds =
      data::Dataset::load(train::train_data_options(loaded.config), data::Split::kTrain);
  const auto sources = train::make_sources(loaded.config, ds);
  const at::Tensor blended = loaded.predict(sources, torch::kCPU);
  const at::Tensor blended_parallel = loaded.predict(sources, torch::kCPU, 2);  // track workers
  const auto classic = loaded.classic;
  loaded.classic = nullptr;
  const at::Tensor network = loaded.predict(sources, torch::kCPU);
  std::vector<at::Tensor> features;
  for (const auto& s : sources)
    features.push_back(models::classic_features(data::load_spectrogram(s.file)));
  const at::Tensor expected =
      0.75 * network + 0.25 * classic->probabilities(torch::stack(features));
  EXPECT_TRUE(torch::allclose(blended, expected, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(blended_parallel, expected, 1e-4, 1e-5));
  EXPECT_GT((blended - network).abs().max().item<float>(), 1e-3);  // the expert counts
}

TEST(Trainer, ConfigurationAndDataErrors) {
  TempDir dir("train-err");
  auto c = tiny_config(dir / "data", "");
  EXPECT_MELCLASS_ERROR(train::train_model(c), "no output run folder");
  c = tiny_config(dir / "absent", dir / "run");
  EXPECT_MELCLASS_ERROR(train::train_model(c), "dataset", "absent");
  c.recipe.epochs = 0;
  EXPECT_MELCLASS_ERROR(train::train_model(c), "epochs");
  // Too few tracks for a validation split: 2 tracks, 1 of them for validation.
  const fs::path tiny = dir / "tiny";
  melclass::testing::write_json(
      data::train_label_path(tiny),
      {{"track_index", {{"0", 1}, {"1", 2}}}, {"station_name", {{"0", "Q1"}, {"1", "Q2"}}}});
  for (const char* id : {"1", "2"})
    io::write_npy(data::mel_dir_path(tiny, data::Split::kTrain) / (std::string(id) + ".npy"),
                  torch::ones({1, 128, 80}));
  c = tiny_config(tiny, dir / "run");
  EXPECT_MELCLASS_ERROR(train::train_model(c), "too few tracks");
}

TEST(RunDir, LoadRunErrors) {
  TempDir dir("rundir");
  EXPECT_MELCLASS_ERROR(train::load_run(dir / "nope", torch::kCPU), "run folder not found");
  EXPECT_MELCLASS_ERROR(train::load_run(dir.path(), torch::kCPU), "config.json",
                        "missing from the run folder");
  // A complete folder whose checkpoint is garbage.
  melclass::testing::write_json(train::config_file(dir.path()),
                                train::to_json(train::resolve_config("tcnet", json::object())));
  data::LabelVocab({"a", "b"}, false).save(train::vocab_file(dir.path()));
  melclass::testing::write_text(train::checkpoint_file(dir.path()), "not a zip archive");
  EXPECT_MELCLASS_ERROR(train::load_run(dir.path(), torch::kCPU), "model.pt",
                        "cannot load checkpoint");
  melclass::testing::write_text(train::config_file(dir.path()), "{");
  EXPECT_MELCLASS_ERROR(train::load_run(dir.path(), torch::kCPU), "config.json", "malformed JSON");
}

TEST(RunDir, CheckpointFromAnotherVocabularyIsRefused) {
  TempDir dir("rundir");
  models::ModelOptions o;
  o.n_classes = 3;
  auto model = models::make_model("tcnet", o);
  train::save_checkpoint(dir.path(), *model);
  melclass::testing::write_json(train::config_file(dir.path()),
                                train::to_json(train::resolve_config("tcnet", json::object())));
  data::LabelVocab({"a", "b", "c", "d"}, false).save(train::vocab_file(dir.path()));
  EXPECT_MELCLASS_ERROR(train::load_run(dir.path(), torch::kCPU), "cannot load checkpoint");
  data::LabelVocab({"a", "b", "c"}, false).save(train::vocab_file(dir.path()));
  EXPECT_NO_THROW(train::load_run(dir.path(), torch::kCPU));
}

TEST(RunDir, MakeSourcesReadsOnlyTheNamedTextFields) {
  TempDir dir("rundir");
  write_synth(dir / "data");
  auto c = train::resolve_config("text", {{"text_fields", {"genre"}}});
  c.data_root = (dir / "data").string();
  const auto ds = data::Dataset::load(train::train_data_options(c), data::Split::kTrain);
  const auto sources = train::make_sources(c, ds);
  ASSERT_EQ(sources.size(), ds.tracks().size());
  text::FeaturizerOptions only_genre, all_fields;
  only_genre.buckets = all_fields.buckets = c.recipe.text_buckets;
  only_genre.fields = {"genre"};
  const text::Featurizer genre(only_genre), all(all_fields);
  for (size_t i = 0; i < sources.size(); ++i) {
    EXPECT_TRUE(sources[i].file.empty());  // text-only: no spectrogram needed
    EXPECT_FALSE(sources[i].text.empty());
    EXPECT_EQ(sources[i].text, genre.features(ds.tracks()[i].meta));
    EXPECT_LT(sources[i].text.size(), all.features(ds.tracks()[i].meta).size());
  }
}
