// infer::predict on a run trained here, and decide_labels / csv_path_for.

#include <fstream>
#include <sstream>
#include <utility>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/testing.h"
#include "melclass/core/atomic_file.h"
#include "melclass/data/dataset.h"
#include "melclass/data/synth.h"
#include "melclass/infer/predictor.h"
#include "melclass/train/config.h"
#include "melclass/train/trainer.h"
#include "train/train_testing.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace melclass;
using melclass::testing::TempDir;

namespace {

// Synthetic dataset (24 tracks: 20 train, 4 test) and a 1-epoch tcnet run on it.
void train_tiny(const fs::path& root, const fs::path& run, data::Task task) {
  melclass::testing::write_synth(root, task, /*seed=*/4);
  auto c = train::resolve_config(
      "tcnet", {{"train_frames", 64}, {"epochs", 1}, {"threads", 1}, {"batch_size", 8}});
  c.data_root = root.string();
  c.out = run.string();
  c.verbose = false;
  train::train_model(c);
}

// Test track ids in q{1,2,3}_test.json order.
std::vector<std::string> test_ids(const fs::path& root, data::Task task) {
  data::DatasetOptions o;
  o.root = root;
  o.task = task;
  const auto test = data::Dataset::load(o, data::Split::kTest);
  std::vector<std::string> ids;
  for (const auto& t : test.tracks()) ids.push_back(t.id);
  return ids;
}

std::vector<std::string> lines_of(const fs::path& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

infer::PredictOptions options(const TempDir& dir) {
  infer::PredictOptions o;
  o.runs = {dir / "run"};
  o.root = dir / "data";
  o.out = dir / "out" / "preds.json";
  o.threads = 1;
  return o;
}

}  // namespace

TEST(Predict, StationWritesJsonListAndCsv) {
  TempDir dir("predict");
  train_tiny(dir / "data", dir / "run", data::Task::kStation);
  const auto o = options(dir);
  const infer::Predictions p = infer::predict(o);

  // Test order = q1_test.json data_idx order.
  const auto ids = test_ids(dir / "data", data::Task::kStation);
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(p.track_ids, ids);
  ASSERT_EQ(p.probabilities.sizes().vec(), (std::vector<int64_t>{4, 4}));
  EXPECT_TRUE(torch::allclose(p.probabilities.sum(1), torch::ones({4}), 1e-5, 1e-5));

  const json list = json::parse(read_text_file(o.out));
  ASSERT_TRUE(list.is_array());
  ASSERT_EQ(list.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    ASSERT_TRUE(list[i].is_string()) << list.dump();
    EXPECT_GE(p.vocab.find(list[i].get<std::string>()), 0) << list[i];
    EXPECT_EQ(list[i], p.labels[i].at(0));
    // The decided label is the most probable class.
    EXPECT_EQ(p.vocab.find(list[i].get<std::string>()),
              p.probabilities[static_cast<int64_t>(i)].argmax().item<int64_t>());
  }

  const fs::path csv = dir / "out" / "preds.csv";
  EXPECT_EQ(infer::csv_path_for(o.out), csv);
  const auto rows = lines_of(csv);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0], "track_id,prediction,score_Q1,score_Q2,score_Q3,score_Q4");
  for (size_t i = 0; i < 4; ++i) {
    std::stringstream ss(rows[i + 1]);
    std::vector<std::string> cells;
    for (std::string cell; std::getline(ss, cell, ',');) cells.push_back(cell);
    ASSERT_EQ(cells.size(), 6u) << rows[i + 1];
    EXPECT_EQ(cells[0], p.track_ids[i]);
    EXPECT_EQ(cells[1], list[i].get<std::string>());
    double sum = 0;
    for (size_t c = 2; c < 6; ++c) sum += std::stod(cells[c]);
    EXPECT_NEAR(sum, 1.0, 1e-5);
  }
}

TEST(Predict, MoodWritesTagLists) {
  TempDir dir("predict-mood");
  train_tiny(dir / "data", dir / "run", data::Task::kMood);
  const auto o = options(dir);
  const infer::Predictions p = infer::predict(o);
  const json list = json::parse(read_text_file(o.out));
  ASSERT_EQ(list.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    ASSERT_TRUE(list[i].is_array()) << list.dump();
    EXPECT_EQ(list[i].get<std::vector<std::string>>(), p.labels[i]);
  }
  const auto rows = lines_of(infer::csv_path_for(o.out));
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].rfind("track_id,tags,score_", 0), 0u) << rows[0];
}

TEST(Predict, ArtistPoolGivesOneArtistOneAnswer) {
  TempDir dir("predict-pool");
  train_tiny(dir / "data", dir / "run", data::Task::kStation);
  // Test tracks 0 and 2 by the same artist (a Korean name: keys are UTF-8).
  const fs::path meta = data::test_meta_path(dir / "data", data::Task::kStation);
  json m = json::parse(read_text_file(meta));
  m["artist_name_list"]["2"] = m["artist_name_list"]["0"];
  write_file_atomically(meta, [&](std::ostream& s) { s << m.dump(); });
  auto o = options(dir);
  o.artist_pool = 0;  // tcnet's recipe pools nothing either; 0 states it
  const auto raw = infer::predict(o).probabilities;
  o.artist_pool = 1;
  const auto pooled = infer::predict(o).probabilities;
  // Shared artist: one row, the normalised geometric mean of the two.
  EXPECT_TRUE(torch::allclose(pooled[0], pooled[2], 1e-6, 1e-6));
  const auto geo = (raw[0].log() + raw[2].log()).mul(0.5).softmax(0);
  EXPECT_TRUE(torch::allclose(pooled[0], geo, 1e-5, 1e-6)) << pooled[0] << geo;
  // Own artists: unchanged.
  EXPECT_TRUE(torch::allclose(pooled[1], raw[1], 1e-6, 1e-6));
  EXPECT_TRUE(torch::allclose(pooled[3], raw[3], 1e-6, 1e-6));
  // What predict wrote is the pooled decision.
  const json list = json::parse(read_text_file(o.out));
  EXPECT_EQ(list[0], list[2]);
}

namespace {

// Gives test track 0 the first artist of the run's artist_labels.json (an
// artist with training tracks); returns the file and that artist's key.
std::pair<json, std::string> first_test_track_by_a_training_artist(const fs::path& dir,
                                                                   data::Task task) {
  const json labels = json::parse(read_text_file(dir / "run" / "artist_labels.json"));
  EXPECT_FALSE(labels.at("counts").empty());
  const std::string key = labels["counts"].begin().key();  // "artist:<name, lower case>"
  EXPECT_EQ(key.rfind("artist:", 0), 0u);
  const fs::path meta = data::test_meta_path(dir / "data", task);
  json m = json::parse(read_text_file(meta));
  m["artist_name_list"]["0"] = json::array({key.substr(7)});
  write_file_atomically(meta, [&](std::ostream& s) { s << m.dump(); });
  return {labels, key};
}

}  // namespace

// A test track by an artist with training tracks is multiplied by that
// artist's Laplace-smoothed training label distribution (artist_labels.json,
// written by train) to the power artist_prior.
TEST(Predict, ArtistPriorFollowsTrainingLabels) {
  TempDir dir("predict-prior");
  train_tiny(dir / "data", dir / "run", data::Task::kStation);
  const auto [labels, key] =
      first_test_track_by_a_training_artist(dir.path(), data::Task::kStation);
  auto o = options(dir);
  o.artist_pool = 0;
  o.artist_prior = 0;
  const auto raw = infer::predict(o).probabilities.to(torch::kDouble);
  o.artist_prior = 2;
  const auto moved = infer::predict(o).probabilities.to(torch::kDouble);
  const auto n =
      torch::tensor(labels["counts"][key].get<std::vector<int64_t>>()).to(torch::kDouble);
  const auto expected = (raw[0] * ((n + 1) / (n.sum() + n.numel())).pow(2));
  EXPECT_TRUE(torch::allclose(moved[0], expected / expected.sum(), 1e-5, 1e-6))
      << moved[0] << expected / expected.sum();
}

// Mood: a test track whose artist has training tracks gets half its
// calibrated scores and half that artist's training tag frequencies.
TEST(Predict, ArtistTagMixOnMood) {
  TempDir dir("predict-tagmix");
  train_tiny(dir / "data", dir / "run", data::Task::kMood);
  const auto [labels, key] = first_test_track_by_a_training_artist(dir.path(), data::Task::kMood);
  auto o = options(dir);
  o.artist_tag_mix = 0;
  const auto raw = infer::predict(o).probabilities.to(torch::kDouble);
  o.artist_tag_mix = 0.5;
  const auto mixed = infer::predict(o).probabilities.to(torch::kDouble);
  const auto share = torch::tensor(labels["counts"][key].get<std::vector<int64_t>>())
                         .to(torch::kDouble)
                         .div(labels["tracks"][key].get<double>());
  EXPECT_TRUE(torch::allclose(mixed[0], 0.5 * raw[0] + 0.5 * share, 1e-5, 1e-6));
}

TEST(Predict, Errors) {
  TempDir dir("predict-err");
  auto o = options(dir);
  o.out = dir / "preds.csv";
  EXPECT_MELCLASS_ERROR(infer::predict(o), "predict", "the output is the JSON list");
  o.out.clear();
  EXPECT_MELCLASS_ERROR(infer::predict(o), "no output file");
  o = options(dir);
  EXPECT_MELCLASS_ERROR(infer::predict(o), "run folder not found");
  EXPECT_FALSE(fs::exists(o.out));
}

TEST(Predict, MissingTestSpectrogramFailsWithoutPartialOutput) {
  TempDir dir("predict-missing");
  train_tiny(dir / "data", dir / "run", data::Task::kGenre);
  const fs::path gone = data::mel_dir_path(dir / "data", data::Split::kTest) /
                        (test_ids(dir / "data", data::Task::kGenre).at(2) + ".npy");
  fs::remove(gone);
  const auto o = options(dir);
  EXPECT_MELCLASS_ERROR(infer::predict(o), gone.string(), "spectrogram file not found");
  EXPECT_FALSE(fs::exists(o.out));
  EXPECT_FALSE(fs::exists(infer::csv_path_for(o.out)));
}

TEST(DecideLabels, ArgmaxAndThreshold) {
  const data::LabelVocab single({"a", "b", "c"}, false);
  const auto probs = torch::tensor({0.2f, 0.5f, 0.3f, 0.6f, 0.1f, 0.3f}).reshape({2, 3});
  EXPECT_EQ(infer::decide_labels(probs, single),
            (std::vector<std::vector<std::string>>{{"b"}, {"a"}}));
  const data::LabelVocab multi({"a", "b", "c"}, true);
  // p >= 0.5 is a tag: row 0 {a, c}, row 1 none; 0.5 exactly counts, 0.4999 does not.
  const auto mp = torch::tensor({0.5f, 0.4999f, 0.9f, 0.1f, 0.2f, 0.3f}).reshape({2, 3});
  EXPECT_EQ(infer::decide_labels(mp, multi),
            (std::vector<std::vector<std::string>>{{"a", "c"}, {}}));
}

TEST(CsvPath, BesideTheJson) {
  EXPECT_EQ(infer::csv_path_for("out/preds.json"), fs::path("out/preds.csv"));
  EXPECT_EQ(infer::csv_path_for("preds"), fs::path("preds.csv"));
  EXPECT_EQ(infer::csv_path_for("/a.b/p.v1.json"), fs::path("/a.b/p.v1.csv"));
}
