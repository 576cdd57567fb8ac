// eval metrics against hand-computed values.

#include <gtest/gtest.h>

#include "core/testing.h"
#include "melclass/eval/metrics.h"

using namespace melclass::eval;

namespace {
const std::vector<std::string> kLabels = {"a", "b", "c", "d"};
}

// truth: a a a b b c c c c      pred: a a b b b c c a a
// Confusion [truth][pred]:
//   a: a a b       -> [2, 1, 0, 0]
//   b: b b         -> [0, 2, 0, 0]
//   c: c c a a     -> [2, 0, 2, 0]
//   d: (none)      -> [0, 0, 0, 0]
// correct = 2 + 2 + 2 = 6 of 9: accuracy = 2/3
// a: tp 2, fp 2 (c->a twice), fn 1 (a->b): P = 2/4, R = 2/3, F1 = 2*2/(2*2+2+1) = 4/7
// b: tp 2, fp 1 (a->b), fn 0:              P = 2/3, R = 1,   F1 = 4/(4+1+0) = 4/5
// c: tp 2, fp 0, fn 2:                     P = 1,   R = 1/2, F1 = 4/(4+0+2) = 2/3
// d: no support, never predicted: F1 0, left out of macro-F1
// macro-F1 = (4/7 + 4/5 + 2/3) / 3 = (60 + 84 + 70) / 105 / 3 = 214 / 315
// micro: tp 6, fp 3, fn 3: F1 = 12 / 18 = 2/3 (equals accuracy for single-label)
TEST(Metrics, SingleLabelByHand) {
  const std::vector<int64_t> truth = {0, 0, 0, 1, 1, 2, 2, 2, 2};
  const std::vector<int64_t> pred = {0, 0, 1, 1, 1, 2, 2, 0, 0};
  const MetricReport r = score_single_label(truth, pred, kLabels);
  EXPECT_EQ(r.metric_name, "accuracy");
  EXPECT_EQ(r.tracks, 9);
  EXPECT_DOUBLE_EQ(r.accuracy, 6.0 / 9.0);
  EXPECT_DOUBLE_EQ(r.metric, r.accuracy);
  EXPECT_DOUBLE_EQ(r.micro_f1, 2.0 / 3.0);
  EXPECT_NEAR(r.macro_f1, 214.0 / 315.0, 1e-12);
  const std::vector<std::vector<int64_t>> confusion = {
      {2, 1, 0, 0}, {0, 2, 0, 0}, {2, 0, 2, 0}, {0, 0, 0, 0}};
  EXPECT_EQ(r.confusion, confusion);
  ASSERT_EQ(r.per_class.size(), 4u);
  const ClassScore& a = r.per_class[0];
  EXPECT_EQ(a.label, "a");
  EXPECT_DOUBLE_EQ(a.precision, 0.5);
  EXPECT_DOUBLE_EQ(a.recall, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(a.f1, 4.0 / 7.0);
  EXPECT_EQ(a.support, 3);
  EXPECT_EQ(a.predicted, 4);
  const ClassScore& b = r.per_class[1];
  EXPECT_DOUBLE_EQ(b.precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(b.recall, 1.0);
  EXPECT_DOUBLE_EQ(b.f1, 0.8);
  EXPECT_EQ(b.support, 2);
  EXPECT_EQ(b.predicted, 3);
  const ClassScore& c = r.per_class[2];
  EXPECT_DOUBLE_EQ(c.precision, 1.0);
  EXPECT_DOUBLE_EQ(c.recall, 0.5);
  EXPECT_DOUBLE_EQ(c.f1, 2.0 / 3.0);
  EXPECT_EQ(c.support, 4);
  EXPECT_EQ(c.predicted, 2);
  const ClassScore& d = r.per_class[3];
  EXPECT_EQ(d.support, 0);
  EXPECT_EQ(d.predicted, 0);
  EXPECT_DOUBLE_EQ(d.precision, 0.0);
  EXPECT_DOUBLE_EQ(d.f1, 0.0);
}

TEST(Metrics, SingleLabelPerfectAndAllWrong) {
  const MetricReport perfect = score_single_label({0, 1, 2}, {0, 1, 2}, kLabels);
  EXPECT_DOUBLE_EQ(perfect.accuracy, 1.0);
  EXPECT_DOUBLE_EQ(perfect.macro_f1, 1.0);  // d is absent from both: not averaged in
  // All wrong: truth a a, pred b b -> accuracy 0; a: fn 2, b: fp 2; both F1 0.
  const MetricReport wrong = score_single_label({0, 0}, {1, 1}, kLabels);
  EXPECT_DOUBLE_EQ(wrong.accuracy, 0.0);
  EXPECT_DOUBLE_EQ(wrong.micro_f1, 0.0);
  EXPECT_DOUBLE_EQ(wrong.macro_f1, 0.0);
  EXPECT_EQ(wrong.confusion[0][1], 2);
}

TEST(Metrics, SingleLabelErrors) {
  EXPECT_MELCLASS_ERROR(score_single_label({0, 1}, {0}, kLabels), "metrics", "counts differ");
  EXPECT_MELCLASS_ERROR(score_single_label({4}, {0}, kLabels), "class index out of range");
  EXPECT_MELCLASS_ERROR(score_single_label({0}, {-1}, kLabels), "class index out of range");
  const MetricReport empty = score_single_label({}, {}, kLabels);
  EXPECT_EQ(empty.tracks, 0);
  EXPECT_DOUBLE_EQ(empty.accuracy, 0.0);
  EXPECT_DOUBLE_EQ(empty.macro_f1, 0.0);
}

// Labels x y z.
//   track 0: truth {x, y}  pred {x}      x: tp      y: fn
//   track 1: truth {z}     pred {y, z}   z: tp      y: fp
//   track 2: truth {x}     pred {x, x}   x: tp      (duplicate prediction counts once; exact match)
//   track 3: truth {y, z}  pred {}       y: fn      z: fn
// x: tp 2 fp 0 fn 0 -> P 1, R 1, F1 1
// y: tp 0 fp 1 fn 2 -> P 0, R 0, F1 0
// z: tp 1 fp 0 fn 1 -> P 1, R 1/2, F1 2/(2+0+1) = 2/3
// micro: tp 3, fp 1, fn 3 -> F1 = 6 / (6 + 1 + 3) = 0.6
// macro: (1 + 0 + 2/3) / 3 = 5/9; exact-set accuracy: 1 of 4 (track 2)
TEST(Metrics, MultiLabelByHand) {
  const std::vector<std::vector<int64_t>> truth = {{0, 1}, {2}, {0}, {1, 2}};
  const std::vector<std::vector<int64_t>> pred = {{0}, {1, 2}, {0, 0}, {}};
  const MetricReport r = score_multi_label(truth, pred, {"x", "y", "z"});
  EXPECT_EQ(r.metric_name, "micro_f1");
  EXPECT_DOUBLE_EQ(r.micro_f1, 0.6);
  EXPECT_DOUBLE_EQ(r.metric, 0.6);
  EXPECT_DOUBLE_EQ(r.macro_f1, 5.0 / 9.0);
  EXPECT_DOUBLE_EQ(r.accuracy, 0.25);
  EXPECT_EQ(r.tracks, 4);
  EXPECT_TRUE(r.confusion.empty());
  ASSERT_EQ(r.per_class.size(), 3u);
  EXPECT_DOUBLE_EQ(r.per_class[0].f1, 1.0);
  EXPECT_EQ(r.per_class[0].support, 2);
  EXPECT_EQ(r.per_class[1].support, 2);
  EXPECT_EQ(r.per_class[1].predicted, 1);
  EXPECT_DOUBLE_EQ(r.per_class[1].precision, 0.0);
  EXPECT_DOUBLE_EQ(r.per_class[2].precision, 1.0);
  EXPECT_DOUBLE_EQ(r.per_class[2].recall, 0.5);
  EXPECT_DOUBLE_EQ(r.per_class[2].f1, 2.0 / 3.0);
}

TEST(Metrics, MultiLabelErrors) {
  EXPECT_MELCLASS_ERROR(score_multi_label({{0}}, {}, {"x"}), "counts differ");
  EXPECT_MELCLASS_ERROR(score_multi_label({{0}}, {{3}}, {"x", "y"}), "out of range");
  EXPECT_MELCLASS_ERROR(score_multi_label({{5}}, {{0}}, {"x", "y"}), "out of range");
}

TEST(Metrics, JsonAndText) {
  const MetricReport r = score_single_label({0, 0, 1}, {0, 1, 1}, {"Q1", "Q2"});
  const auto j = to_json(r);
  EXPECT_EQ(j["metric"], "accuracy");
  EXPECT_NEAR(j["value"].get<double>(), 2.0 / 3.0, 1e-12);
  EXPECT_EQ(j["tracks"], 3);
  EXPECT_EQ(j["per_class"].size(), 2u);
  EXPECT_EQ(j["per_class"][1]["label"], "Q2");
  EXPECT_EQ(j["confusion"], nlohmann::json::parse("[[1, 1], [0, 1]]"));
  const std::string text = format_report(r);
  EXPECT_NE(text.find("accuracy: 0.6667"), std::string::npos) << text;
  EXPECT_NE(text.find("3 tracks"), std::string::npos) << text;
  EXPECT_NE(text.find("Q2"), std::string::npos) << text;
  const auto mj = to_json(score_multi_label({{0}}, {{0}}, {"x", "y"}));
  EXPECT_FALSE(mj.contains("confusion"));
  // Classes neither true nor predicted are not listed in the text report.
  EXPECT_EQ(format_report(score_multi_label({{0}}, {{0}}, {"x", "unused"})).find("unused"),
            std::string::npos);
}
