// report::write_report on a tiny run and cv folder trained by the test.

#include <fstream>
#include <regex>

#include <gtest/gtest.h>

#include "core/testing.h"
#include "melclass/core/atomic_file.h"
#include "melclass/data/dataset.h"
#include "melclass/eval/evaluate.h"
#include "melclass/report/report.h"
#include "melclass/report/svg.h"
#include "melclass/train/cv.h"
#include "melclass/train/run_dir.h"
#include "melclass/train/trainer.h"
#include "train/train_testing.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace melclass;
using melclass::testing::TempDir;
using melclass::testing::tiny_config;
using melclass::testing::write_synth;

namespace {

// Every test track predicted as `label`, in q1_test.json's order.
fs::path constant_predictions(const fs::path& root, const fs::path& file,
                              const std::string& label) {
  data::DatasetOptions o;
  o.root = root;
  o.task = data::Task::kStation;
  o.require_spectrograms = false;
  const auto test = data::Dataset::load(o, data::Split::kTest);
  write_file_atomically(file, [&](std::ostream& s) {
    s << json(std::vector<std::string>(test.tracks().size(), label)).dump();
  });
  return file;
}

std::string metric_shown(const std::string& html, const std::string& metric) {
  std::smatch m;
  const std::regex re("<p>" + metric + ": <b>([^<]*)</b>");
  return std::regex_search(html, m, re) ? m[1].str() : "";
}

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override { write_synth(dir_ / "data"); }
  fs::path data() const { return dir_ / "data"; }
  TempDir dir_{"report"};
};

}  // namespace

TEST_F(ReportTest, RunFolderWithTestScores) {
  train::train_model(tiny_config(data(), dir_ / "run"));
  const fs::path pred = constant_predictions(data(), dir_ / "pred.json", "Q1");
  report::ReportOptions o;
  o.run = dir_ / "run", o.data = data(), o.predictions = pred;
  const fs::path out = report::write_report(o);
  EXPECT_EQ(out, dir_ / "run" / "report.html");
  const std::string html = read_text_file(out);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  for (const char* part : {"tcnet", "learning rate", "Test scores", "rows: truth"})
    EXPECT_NE(html.find(part), std::string::npos) << part;
  EXPECT_EQ(html.find("<script"), std::string::npos);  // self-contained, static
  const auto scored = eval::evaluate_predictions({pred, data(), std::nullopt});
  EXPECT_EQ(metric_shown(html, "accuracy"), report::format_number(scored.metric));
  EXPECT_TRUE(train::is_run_folder(dir_ / "run")) << "report.html keeps it a run folder";
}

TEST_F(ReportTest, CvFolderWithOutOfFoldScores) {
  auto c = tiny_config(data(), dir_ / "cv");
  const auto cv = train::run_cv(c, 2);
  report::ReportOptions o;
  o.run = dir_ / "cv", o.data = data(), o.out = dir_ / "cv.html";
  const std::string html = read_text_file(report::write_report(o));
  for (const char* part : {"Cross-validation", "fold 2", "Out-of-fold scores"})
    EXPECT_NE(html.find(part), std::string::npos) << part;
  // Every training track is held out once: the out-of-fold accuracy is the
  // folds' accuracies weighted by their held-out tracks.
  double correct = 0, tracks = 0;
  for (const auto& f : cv.folds) correct += f.metric * f.test_tracks, tracks += f.test_tracks;
  EXPECT_EQ(metric_shown(html, "accuracy"), report::format_number(correct / tracks));
  o.out.clear();
  report::write_report(o);
  EXPECT_TRUE(train::is_cv_folder(dir_ / "cv")) << "report.html keeps it a cv folder";
}

TEST_F(ReportTest, RefusesWhatItCannotReport) {
  const fs::path out = dir_ / "r.html";
  report::ReportOptions o;
  o.run = data(), o.out = out;
  EXPECT_MELCLASS_ERROR(report::write_report(o), "report: " + data().string(),
                        "neither a run folder");
  train::train_model(tiny_config(data(), dir_ / "run"));
  o.run = dir_ / "run", o.predictions = dir_ / "pred.json";
  EXPECT_MELCLASS_ERROR(report::write_report(o), "needs --data");
  std::ofstream(train::metrics_file(dir_ / "run"), std::ios::app) << "{not json\n";
  o.predictions.clear();
  EXPECT_MELCLASS_ERROR(report::write_report(o), "metrics.jsonl", "line 3");
  EXPECT_FALSE(fs::exists(out));
}
