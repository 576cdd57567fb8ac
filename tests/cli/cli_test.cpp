// End to end: synth -> train -> predict -> report -> evaluate for each task.

#include <cmath>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_util.h"

namespace fs = std::filesystem;
using melclass::testing::make_dataset;
using melclass::testing::read_text;
using melclass::testing::run_melclass;
using melclass::testing::TempDir;

namespace {

// Trains the default model briefly, predicts and evaluates; returns evaluate --json.
nlohmann::json train_predict_evaluate(const std::string& task, const std::string& model = "") {
  TempDir dir("e2e-" + task);
  const fs::path root = dir.path() / "data", run = dir.path() / "run";
  make_dataset(root, task, model == "baseline" ? 10 : 24);
  auto r = run_melclass("train --data " + root.string() + " --out " + run.string() +
                        " --threads 1 --seed 3" +
                        (model.empty() ? " --epochs 2" : " --epochs 1 --model " + model));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* f : {"config.json", "labels.json", "metrics.jsonl", "model.pt", "summary.json"})
    EXPECT_TRUE(fs::exists(run / f)) << f;
  const fs::path pred = dir.path() / "out" / "pred.json";
  r = run_melclass("predict --run " + run.string() + " --data " + root.string() + " --out " +
                   pred.string() + " --threads 1");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(fs::exists(dir.path() / "out" / "pred.csv"));
  const auto list = nlohmann::json::parse(read_text(pred));
  const auto order = nlohmann::json::parse(read_text(root / "test" / "test_data" / "meta" /
                                                     (task == "station" ? "q1_test.json"
                                                      : task == "mood"  ? "q2_test.json"
                                                                        : "q3_test.json")));
  EXPECT_EQ(list.size(), order["track_index"].size());
  for (const auto& item : list) EXPECT_TRUE(task == "mood" ? item.is_array() : item.is_string());
  const fs::path html = dir.path() / "out" / "report.html";
  r = run_melclass("report --run " + run.string() + " --data " + root.string() + " --pred " +
                   pred.string() + " --out " + html.string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(read_text(html).find("Test scores"), std::string::npos);
  r = run_melclass("evaluate --json --pred " + pred.string() + " --data " + root.string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return nlohmann::json::parse(r.output);
}

TEST(Cli, StationEndToEnd) {
  const auto report = train_predict_evaluate("station");
  EXPECT_EQ(report["metric"], "accuracy");
  EXPECT_GE(report["value"].get<double>(), 0.0);
  EXPECT_EQ(report["confusion"].size(), 4u);
}

TEST(Cli, MoodEndToEnd) {
  const auto report = train_predict_evaluate("mood");
  EXPECT_EQ(report["metric"], "micro_f1");
}

TEST(Cli, GenreEndToEnd) {
  const auto report = train_predict_evaluate("genre");
  EXPECT_EQ(report["metric"], "accuracy");
}

TEST(Cli, BaselineTrainsAndPredicts) {
  const auto report = train_predict_evaluate("station", "baseline");
  EXPECT_EQ(report["tracks"].get<int>(), 4);  // 10 tracks: 6 train, 4 test
}

TEST(Cli, SameSeedSameResult) {
  TempDir dir("seed");
  const fs::path root = dir.path() / "data";
  make_dataset(root, "station");
  std::string metrics[2];
  for (int i = 0; i < 2; ++i) {
    const fs::path run = dir.path() / ("run" + std::to_string(i));
    auto r = run_melclass("train --data " + root.string() + " --out " + run.string() +
                          " --epochs 2 --threads 2 --seed 7 --quiet");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto text = read_text(run / "metrics.jsonl");
    std::string losses;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) {
      const auto j = nlohmann::json::parse(l);
      losses += j["train_loss"].dump() + j["val_loss"].dump();
    }
    metrics[i] = losses;
  }
  EXPECT_EQ(metrics[0], metrics[1]);
}

TEST(Cli, HelpListsSubcommands) {
  const auto r = run_melclass("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* c : {"train", "cv", "predict", "evaluate", "report", "synth", "demo", "extract"})
    EXPECT_NE(r.output.find(c), std::string::npos) << c;
}

// --set autocast=bf16 trains (forward passes under bf16 autocast, losses in float32) and is saved.
TEST(Cli, TrainsUnderBf16Autocast) {
  TempDir dir("autocast");
  const fs::path root = dir.path() / "data", run = dir.path() / "run";
  make_dataset(root, "station", 12);
  const auto r = run_melclass("train --data " + root.string() + " --out " + run.string() +
                              " --model crnn --epochs 1 --threads 1 --quiet --set autocast=bf16");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto config = nlohmann::json::parse(read_text(run / "config.json"));
  EXPECT_EQ(config["autocast"], "bf16");
  const auto epoch = nlohmann::json::parse(read_text(run / "metrics.jsonl"));
  EXPECT_TRUE(std::isfinite(epoch["train_loss"].get<double>())) << epoch.dump();
}

TEST(Cli, TrainsWithoutValidationPart) {
  TempDir dir("noval");
  const fs::path root = dir.path() / "data", run = dir.path() / "run";
  make_dataset(root, "station", 12);
  // crnn on a single-label task: val_fraction auto resolves to 0.
  const auto r = run_melclass("train --data " + root.string() + " --out " + run.string() +
                              " --model crnn --epochs 2 --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* field : {"val_loss", "val_accuracy"})
    EXPECT_EQ(r.output.find(field), std::string::npos) << "nothing validated: " << r.output;
  EXPECT_NE(r.output.find("no validation part: every track trained"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("kept epoch 2 (select last)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("/ 0 val tracks"), std::string::npos) << r.output;
  const auto bad =
      run_melclass("train --data " + root.string() + " --out " + (dir.path() / "bad").string() +
                   " --model tcnet --epochs 1 --set val_fraction=0");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_TRUE(melclass::testing::is_one_clear_error(bad.output)) << bad.output;
  EXPECT_NE(bad.output.find("needs select last"), std::string::npos) << bad.output;
}

TEST(Cli, UnknownModelIsOneLine) {
  TempDir dir("model");
  make_dataset(dir.path() / "data", "station", 8);
  const auto r = run_melclass("train --data " + (dir.path() / "data").string() +
                              " --model nope --out " + (dir.path() / "run").string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(melclass::testing::is_one_clear_error(r.output)) << r.output;
  EXPECT_NE(r.output.find("unknown model 'nope'"), std::string::npos);
}

}  // namespace
