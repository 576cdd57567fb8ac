// eval::evaluate_predictions on tiny datasets written by the test.

#include <gtest/gtest.h>

#include "core/testing.h"
#include "melclass/data/dataset.h"
#include "melclass/eval/evaluate.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace melclass;
using melclass::testing::TempDir;
using melclass::testing::write_json;
using melclass::testing::write_text;

namespace {

json table(const std::string& label_column, const std::vector<std::pair<int, json>>& rows) {
  json t = {{"track_index", json::object()}, {label_column, json::object()}};
  for (size_t i = 0; i < rows.size(); ++i) {
    t["track_index"][std::to_string(i)] = rows[i].first;
    t[label_column][std::to_string(i)] = rows[i].second;
  }
  return t;
}

class EvaluateTest : public ::testing::Test {
 protected:
  // Station: train labels Q1..Q3; test order (q1_test.json) 10, 11, 12; answers
  // Q1, Q2, Q3 listed in another order in test/test_label.
  void station() {
    write_json(data::train_label_path(root()),
               table("station_name", {{1, "Q1"}, {2, "Q2"}, {3, "Q3"}, {4, "Q1"}}));
    json meta = {{"track_index", {{"0", 10}, {"1", 11}, {"2", 12}}}};
    write_json(data::test_meta_path(root(), data::Task::kStation), meta);
    write_json(data::test_label_path(root()),
               table("station_name", {{12, "Q3"}, {10, "Q1"}, {11, "Q2"}}));
  }
  // Mood: train tags calm/dark/sad; two test tracks.
  void mood() {
    write_json(data::train_label_path(root()),
               table("mood_tag", {{1, json::array({"calm", "dark"})}, {2, json::array({"sad"})}}));
    write_json(data::test_meta_path(root(), data::Task::kMood),
               json{{"track_index", {{"0", 20}, {"1", 21}}}});
    write_json(data::test_label_path(root()), table("mood_tag", {{20, json::array({"calm", "sad"})},
                                                                 {21, json::array({"dark"})}}));
  }
  eval::MetricReport evaluate(const json& predictions,
                              std::optional<data::Task> task = std::nullopt) {
    write_json(preds_path(), predictions);
    eval::EvaluateOptions o;
    o.predictions = preds_path();
    o.root = root();
    o.task = task;
    return eval::evaluate_predictions(o);
  }
  const fs::path& root() const { return dir_.path(); }
  fs::path preds_path() const { return dir_ / "preds.json"; }

  TempDir dir_{"evaluate"};
};

}  // namespace

TEST_F(EvaluateTest, StationScore) {
  station();
  // Truth in q1_test order: Q1, Q2, Q3. Prediction Q1, Q3, Q3: 2 of 3 right.
  const auto r = evaluate(json{"Q1", "Q3", "Q3"});
  EXPECT_EQ(r.metric_name, "accuracy");
  EXPECT_DOUBLE_EQ(r.metric, 2.0 / 3.0);
  EXPECT_EQ(r.tracks, 3);
  ASSERT_EQ(r.per_class.size(), 3u);  // vocabulary from train/train_label
  EXPECT_EQ(r.confusion[1][2], 1);    // truth Q2 predicted Q3
  EXPECT_DOUBLE_EQ(evaluate(json{"Q1", "Q2", "Q3"}).metric, 1.0);
  // An explicit task gives the same result as detection.
  EXPECT_DOUBLE_EQ(evaluate(json{"Q1", "Q3", "Q3"}, data::Task::kStation).metric, 2.0 / 3.0);
}

TEST_F(EvaluateTest, MoodMicroF1) {
  mood();
  // Track 20: truth {calm, sad}, pred {calm}: tp 1, fn 1.
  // Track 21: truth {dark}, pred {dark, sad}: tp 1, fp 1.
  // micro-F1 = 2*2 / (2*2 + 1 + 1) = 4/6.
  const auto r = evaluate(json::array({json::array({"calm"}), json::array({"dark", "sad"})}));
  EXPECT_EQ(r.metric_name, "micro_f1");
  EXPECT_DOUBLE_EQ(r.metric, 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(r.accuracy, 0.0);
  EXPECT_MELCLASS_ERROR(evaluate(json::array({"calm", json::array({"dark"})})),
                        "item 0: expected a list of tags");
}

TEST_F(EvaluateTest, WrongLength) {
  station();
  EXPECT_MELCLASS_ERROR(evaluate(json{"Q1", "Q2"}), "evaluate: " + preds_path().string(),
                        "has 2 predictions, the test set has 3 tracks");
  EXPECT_MELCLASS_ERROR(evaluate(json::array()), "has 0 predictions");
}

TEST_F(EvaluateTest, UnknownPredictedLabel) {
  station();
  EXPECT_MELCLASS_ERROR(evaluate(json{"Q1", "Q9", "Q3"}), preds_path().string(),
                        "item 1: predicted label 'Q9' is not a known class");
  EXPECT_MELCLASS_ERROR(evaluate(json{"Q1", 2, "Q3"}), "item 1: expected a label string, got 2");
}

TEST_F(EvaluateTest, TestLabelNeverSeenInTrainingScoresAsAMiss) {
  station();
  write_json(data::test_label_path(root()),
             table("station_name", {{10, "Q1"}, {11, "Q4"}, {12, "Q3"}}));
  const auto r = evaluate(json{"Q1", "Q2", "Q3"});
  EXPECT_DOUBLE_EQ(r.accuracy, 2.0 / 3.0);
  EXPECT_EQ(r.unseen_in_training, std::vector<std::string>{"Q4"});
  ASSERT_EQ(r.per_class.size(), 4u);  // Q1..Q3 from training, then Q4
  EXPECT_EQ(r.per_class[3].label, "Q4");
  EXPECT_EQ(r.per_class[3].support, 1);
  EXPECT_DOUBLE_EQ(r.per_class[3].recall, 0.0);
  EXPECT_NE(eval::format_report(r).find("never seen in training, scored as misses: 'Q4'"),
            std::string::npos);
  EXPECT_EQ(eval::to_json(r)["unseen_in_training"], json::array({"Q4"}));
  // A label in neither train nor test stays an unknown prediction.
  EXPECT_MELCLASS_ERROR(evaluate(json{"Q1", "Q5", "Q3"}), "predicted label 'Q5'");
}

TEST_F(EvaluateTest, UnseenTagIsAFalseNegativeInMicroF1) {
  mood();
  write_json(data::test_label_path(root()),
             table("mood_tag", {{20, json::array({"calm", "new"})}, {21, json::array({"dark"})}}));
  const auto r = evaluate(json{json::array({"calm"}), json::array({"dark"})});
  // tp 2, fp 0, fn 1 ('new'): micro-F1 = 2 * 2 / (2 * 2 + 0 + 1) = 0.8.
  EXPECT_DOUBLE_EQ(r.micro_f1, 0.8);
  EXPECT_EQ(r.unseen_in_training, std::vector<std::string>{"new"});
}

TEST_F(EvaluateTest, MalformedPredictionFile) {
  station();
  write_text(preds_path(), "[\"Q1\", \"Q2\"");
  eval::EvaluateOptions o;
  o.predictions = preds_path();
  o.root = root();
  EXPECT_MELCLASS_ERROR(eval::evaluate_predictions(o), "evaluate: " + preds_path().string(),
                        "malformed JSON");
  EXPECT_MELCLASS_ERROR(evaluate(json::object({{"0", "Q1"}})), "expected a JSON list");
  o.predictions = root() / "absent.json";
  EXPECT_MELCLASS_ERROR(eval::evaluate_predictions(o), "absent.json");
}

TEST_F(EvaluateTest, TaskDetectionNeedsTestLabels) {
  station();
  fs::remove(data::test_label_path(root()));
  EXPECT_MELCLASS_ERROR(evaluate(json{"Q1", "Q2", "Q3"}), data::test_label_path(root()).string(),
                        "test label file not found");
  write_json(data::test_label_path(root()), table("label", {{10, "Q1"}}));
  EXPECT_MELCLASS_ERROR(evaluate(json{"Q1", "Q2", "Q3"}), "cannot detect the task");
}

TEST_F(EvaluateTest, WithoutTrainLabelsUsesTestVocabulary) {
  station();
  fs::remove(data::train_label_path(root()));
  const auto r = evaluate(json{"Q1", "Q2", "Q2"});
  EXPECT_DOUBLE_EQ(r.metric, 2.0 / 3.0);
  EXPECT_EQ(r.per_class.size(), 3u);
}
