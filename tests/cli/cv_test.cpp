// `melclass cv`, fold ensembles at predict, the metadata-only text model,
// audio+text fusion and --set.

#include <algorithm>
#include <map>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_util.h"

namespace fs = std::filesystem;
using melclass::testing::is_one_clear_error;
using melclass::testing::make_dataset;
using melclass::testing::read_text;
using melclass::testing::run_melclass;
using melclass::testing::TempDir;

namespace {

using Json = nlohmann::json;

// cv_summary.json of a 3-fold station cv: every training track held out
// once, the mean the folds' mean, a model per fold.
void expect_summary(const Json& summary, const Json& labels, const fs::path& cv) {
  EXPECT_EQ(summary["metric"], "accuracy");
  ASSERT_EQ(summary["folds"].size(), 3u);
  int64_t held_out = 0;
  double mean = 0;
  for (const auto& f : summary["folds"]) {
    held_out += f["test_tracks"].get<int64_t>();
    mean += f["accuracy"].get<double>() / 3;
    EXPECT_GT(f["train_tracks"].get<int64_t>(), 0);
  }
  EXPECT_EQ(held_out, static_cast<int64_t>(labels["track_index"].size()))
      << "every training track held out exactly once";
  EXPECT_NEAR(summary["mean"].get<double>(), mean, 1e-9);
  for (int k = 1; k <= 3; ++k)
    EXPECT_TRUE(fs::exists(cv / ("fold-" + std::to_string(k)) / "model.pt"));
}

// Out-of-fold predictions: every track once, and each fold's accuracy
// recomputed from them equals the summary's.
void expect_oof_matches(const Json& oof, const Json& summary, const Json& labels) {
  std::map<std::string, std::string> truth;
  for (const auto& [row, id] : labels["track_index"].items())
    truth[id.dump()] = labels["station_name"][row].get<std::string>();
  ASSERT_EQ(oof["track_index"].size(), truth.size());
  std::vector<double> right(3, 0), count(3, 0);
  for (size_t i = 0; i < oof["track_index"].size(); ++i) {
    const int fold = oof["fold"][i].get<int>();
    ASSERT_TRUE(fold >= 1 && fold <= 3) << i;
    const auto p = oof["probs"][i].get<std::vector<double>>();
    ASSERT_EQ(p.size(), oof["labels"].size());
    double sum = 0;
    for (double v : p) sum += v;
    EXPECT_NEAR(sum, 1.0, 1e-4);
    const auto best = std::max_element(p.begin(), p.end()) - p.begin();
    right[fold - 1] += oof["labels"][best] == truth.at(oof["track_index"][i].get<std::string>());
    count[fold - 1] += 1;
  }
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(count[k], summary["folds"][k]["test_tracks"].get<double>());
    EXPECT_NEAR(right[k] / count[k], summary["folds"][k]["accuracy"].get<double>(), 1e-9);
  }
}

// The cv folder predicts as an ensemble of its folds, as do explicit runs;
// a folder that is neither gives one clear line.
void expect_ensemble_predict(const fs::path& dir, const fs::path& cv, const fs::path& root) {
  const fs::path a = dir / "a.json", b = dir / "b.json";
  auto r = run_melclass("predict --run " + cv.string() + " --data " + root.string() + " --out " +
                        a.string() + " --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_melclass("predict --run " + (cv / "fold-1").string() + " " + (cv / "fold-2").string() +
                   " " + (cv / "fold-3").string() + " --data " + root.string() + " --out " +
                   b.string() + " --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_text(a), read_text(b));
  EXPECT_EQ(read_text(dir / "a.csv"), read_text(dir / "b.csv"));
  const auto tests = Json::parse(read_text(root / "test" / "test_data" / "meta" / "q1_test.json"));
  EXPECT_EQ(Json::parse(read_text(a)).size(), tests["track_index"].size());
  r = run_melclass("predict --run " + root.string() + " --data " + root.string() + " --out " +
                   (dir / "c.json").string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(is_one_clear_error(r.output)) << r.output;
}

}  // namespace

TEST(CvCli, FoldsSummaryAndEnsemblePredict) {
  TempDir dir("cv");
  const fs::path root = dir.path() / "data", cv = dir.path() / "cv";
  make_dataset(root, "station", 30);
  const auto r = run_melclass("cv --data " + root.string() + " --out " + cv.string() +
                              " --folds 3 --epochs 1 --threads 1 --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // The default crnn on a single-label task trains each fold on all its tracks.
  EXPECT_NE(r.output.find("no val part  kept 1"), std::string::npos) << r.output;
  const auto summary = Json::parse(read_text(cv / "cv_summary.json"));
  const auto labels = Json::parse(read_text(root / "train" / "train_label"));
  expect_summary(summary, labels, cv);
  expect_oof_matches(Json::parse(read_text(cv / "oof_predictions.json")), summary, labels);
  expect_ensemble_predict(dir.path(), cv, root);
}

TEST(TextCli, TrainsAndPredictsWithoutSpectrograms) {
  TempDir dir("text");
  const fs::path root = dir.path() / "data", run = dir.path() / "run";
  make_dataset(root, "genre", 24);
  fs::remove_all(root / "train" / "train_data" / "mel_spectrogram");
  fs::remove_all(root / "test" / "test_data" / "mel_spectrogram");
  auto r = run_melclass("train --model text --data " + root.string() + " --out " + run.string() +
                        " --epochs 2 --threads 1 --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const fs::path pred = dir.path() / "p.json";
  r = run_melclass("predict --run " + run.string() + " --data " + root.string() + " --out " +
                   pred.string() + " --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(nlohmann::json::parse(read_text(pred)).size(), 4u);
  r = run_melclass("evaluate --pred " + pred.string() + " --data " + root.string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(TextCli, FusionAndBandNormStoredInRun) {
  TempDir dir("fusion");
  const fs::path root = dir.path() / "data", run = dir.path() / "run";
  make_dataset(root, "mood", 24);
  auto r = run_melclass("train --data " + root.string() + " --out " + run.string() +
                        " --epochs 1 --threads 1 --quiet --set use_text=true --set normalize=band"
                        " --set calibrate_per_tag=true --set loss=asl --set ema_decay=0.9");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto config = nlohmann::json::parse(read_text(run / "config.json"));
  EXPECT_EQ(config["recipe"]["use_text"], true);
  EXPECT_EQ(config["recipe"]["loss"], "asl");
  const auto norm = nlohmann::json::parse(read_text(run / "input_norm.json"));
  EXPECT_EQ(norm["mean"].size(), 128u);
  const auto cal = nlohmann::json::parse(read_text(run / "calibration.json"));
  const auto labels = nlohmann::json::parse(read_text(run / "labels.json"));
  EXPECT_EQ(cal["tag_offsets"].size(), labels["labels"].size()) << "per-tag offsets stored";
  r = run_melclass("predict --run " + run.string() + " --data " + root.string() + " --out " +
                   (dir.path() / "p.json").string() + " --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // A broken --set is one clear line.
  r = run_melclass("train --data " + root.string() + " --out " + (dir.path() / "x").string() +
                   " --set nonsense");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(is_one_clear_error(r.output)) << r.output;
  r = run_melclass("train --data " + root.string() + " --out " + (dir.path() / "x").string() +
                   " --set no_such_key=1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(is_one_clear_error(r.output)) << r.output;
}
