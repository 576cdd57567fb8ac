// Every bad input gets one clear line naming the file and the problem and a
// non-zero exit: never a crash, a LibTorch stack trace or a partial output.

#include <cmath>
#include <fstream>

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_util.h"
#include "melclass/io/npy.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace melclass::testing;

namespace {

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::make_unique<TempDir>("bad");
    root_ = dir_->path() / "data";
    make_dataset(root_, "station", 12);
    labels_ = json::parse(read_text(root_ / "train" / "train_label"));
    first_id_ = labels_["track_index"]["0"].dump();
  }
  fs::path train_npy(const std::string& id) const {
    return root_ / "train" / "train_data" / "mel_spectrogram" / (id + ".npy");
  }
  fs::path first_npy() const { return train_npy(first_id_); }
  CommandResult train(const std::string& extra = "") const {
    return run_melclass("train --data " + root_.string() + " --out " +
                        (dir_->path() / "run").string() + " --epochs 1 --threads 1 --quiet " +
                        extra);
  }
  // Writes a raw .npy with the given header fields and `data_bytes` bytes of zeros.
  static void write_raw_npy(const fs::path& path, const std::string& descr,
                            const std::string& shape, size_t data_bytes) {
    std::string dict =
        "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    dict.append((64 - (10 + dict.size() + 1) % 64) % 64, ' ');
    dict += '\n';
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write("\x93NUMPY\x01\x00", 8);
    const char len[2] = {static_cast<char>(dict.size() & 0xff),
                         static_cast<char>(dict.size() >> 8)};
    out.write(len, 2);
    out << dict << std::string(data_bytes, '\0');
  }
  void expect_error(const CommandResult& r, const std::string& file,
                    const std::string& what) const {
    EXPECT_NE(r.exit_code, 0) << r.output;
    EXPECT_TRUE(is_one_clear_error(r.output)) << r.output;
    EXPECT_NE(r.output.find(file), std::string::npos) << "file not named: " << r.output;
    EXPECT_NE(r.output.find(what), std::string::npos) << "problem not named: " << r.output;
  }
  void write_labels(const json& j) const { write_text(root_ / "train" / "train_label", j.dump()); }

  std::unique_ptr<TempDir> dir_;
  fs::path root_;
  json labels_;
  std::string first_id_;
};

TEST_F(BadInput, TruncatedNpy) {
  fs::resize_file(first_npy(), fs::file_size(first_npy()) / 2);
  expect_error(train(), first_npy().filename().string(), "truncated");
}

TEST_F(BadInput, HeaderLiesAboutShape) {
  write_raw_npy(first_npy(), "<f4", "(1, 128, 5000)", 128 * 10 * 4);
  expect_error(train(), first_npy().filename().string(), "truncated");
}

TEST_F(BadInput, TrailingBytes) {
  std::ofstream(first_npy(), std::ios::binary | std::ios::app) << "garbage";
  expect_error(train(), first_npy().filename().string(), "does not match header");
}

TEST_F(BadInput, WrongShape) {
  melclass::io::write_npy(first_npy(), at::ones({1, 64, 10}));
  expect_error(train(), first_npy().filename().string(), "mel bands");
}

TEST_F(BadInput, WrongDtype) {
  write_raw_npy(first_npy(), "<i4", "(1, 128, 10)", 128 * 10 * 4);
  expect_error(train(), first_npy().filename().string(), "dtype");
}

TEST_F(BadInput, NotAnNpyFile) {
  write_text(first_npy(), "this is not numpy");
  expect_error(train(), first_npy().filename().string(), "bad magic");
}

TEST_F(BadInput, NaNValues) {
  at::Tensor x = at::ones({1, 128, 50});
  x[0][3][7] = NAN;
  melclass::io::write_npy(first_npy(), x);
  expect_error(train(), first_npy().filename().string(), "NaN");
}

TEST_F(BadInput, InfValues) {
  at::Tensor x = at::ones({1, 128, 50});
  x[0][0][0] = INFINITY;
  melclass::io::write_npy(first_npy(), x);
  expect_error(train(), first_npy().filename().string(), "Inf");
}

TEST_F(BadInput, ZeroFrames) {
  melclass::io::write_npy(first_npy(), at::ones({1, 128, 0}));
  expect_error(train(), first_npy().filename().string(), "T = 0");
}

TEST_F(BadInput, MalformedLabelJson) {
  write_text(root_ / "train" / "train_label", "{\"track_index\": {\"0\": 1,");
  expect_error(train(), "train_label", "malformed JSON");
}

TEST_F(BadInput, MissingLabelKeys) {
  labels_.erase("station_name");
  write_labels(labels_);
  expect_error(train(), "train_label", "cannot detect the task");
}

TEST_F(BadInput, TaskOverrideWithoutItsColumn) {
  expect_error(train("--task mood"), "train_label", "missing label column 'mood_tag'");
}

TEST_F(BadInput, PathTraversalIdRefused) {
  labels_["track_index"]["0"] = "../../etc/passwd";
  write_labels(labels_);
  expect_error(train(), "train_label", "refusing track id '../../etc/passwd'");
}

TEST_F(BadInput, MissingSpectrogramFailsThenSkips) {
  fs::remove(first_npy());
  expect_error(train(), first_npy().filename().string(), "not found");
  const auto r = train("--skip-missing");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("skipped 1 tracks"), std::string::npos) << r.output;
}

TEST_F(BadInput, UnseenLabelAtEvaluateIsScoredAndNamed) {
  ASSERT_EQ(train().exit_code, 0);
  const fs::path pred = dir_->path() / "pred.json";
  ASSERT_EQ(run_melclass("predict --threads 1 --run " + (dir_->path() / "run").string() +
                         " --data " + root_.string() + " --out " + pred.string())
                .exit_code,
            0);
  json answers = json::parse(read_text(root_ / "test" / "test_label"));
  answers["station_name"]["0"] = "Q9";
  write_text(root_ / "test" / "test_label", answers.dump());
  const auto r = run_melclass("evaluate --pred " + pred.string() + " --data " + root_.string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("scored as misses: 'Q9'"), std::string::npos) << r.output;
}

TEST_F(BadInput, MalformedPredictionFile) {
  const fs::path pred = dir_->path() / "pred.json";
  write_text(pred, "[\"Q1\", ");
  expect_error(run_melclass("evaluate --pred " + pred.string() + " --data " + root_.string()),
               "pred.json", "malformed JSON");
  write_text(pred, "[\"Q1\"]");
  expect_error(run_melclass("evaluate --pred " + pred.string() + " --data " + root_.string()),
               "pred.json", "predictions, the test set has");
}

TEST_F(BadInput, PredictLeavesNoPartialOutput) {
  ASSERT_EQ(train().exit_code, 0);
  const json order = json::parse(read_text(root_ / "test" / "test_data" / "meta" / "q1_test.json"));
  const fs::path bad = root_ / "test" / "test_data" / "mel_spectrogram" /
                       (order["track_index"]["3"].dump() + ".npy");
  fs::resize_file(bad, 100);
  const fs::path pred = dir_->path() / "out" / "pred.json";
  expect_error(run_melclass("predict --threads 1 --run " + (dir_->path() / "run").string() +
                            " --data " + root_.string() + " --out " + pred.string()),
               bad.filename().string(), "truncated");
  EXPECT_FALSE(fs::exists(pred));
  EXPECT_FALSE(fs::exists(dir_->path() / "out" / "pred.csv"));
}

// Out-of-range thread counts fail at parsing, in one short line: no minutes
// spent creating 100000 threads, no 309-digit range bound.
TEST_F(BadInput, ThreadCountsOutOfRange) {
  for (const char* threads : {"-1", "100000"}) {
    SCOPED_TRACE(threads);
    const auto r =
        run_melclass("train --threads " + std::string(threads) + " --data " + root_.string());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("not in range 0 to 256"), std::string::npos) << r.output;
    EXPECT_TRUE(is_one_clear_error(r.output)) << r.output;
    EXPECT_EQ(r.output.find('\n'), r.output.size() - 1) << r.output;  // one line
  }
}

TEST_F(BadInput, ArgumentErrorsAreOneLineHelpStillWorks) {
  for (const char* args : {"cv --folds 1 --data x", "train", "predict --nope 3", "frobnicate"}) {
    SCOPED_TRACE(args);
    const auto r = run_melclass(args);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(is_one_clear_error(r.output)) << r.output;
    EXPECT_EQ(r.output.find('\n'), r.output.size() - 1) << r.output;
  }
  const auto help = run_melclass("cv --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("--folds"), std::string::npos) << help.output;
}

TEST_F(BadInput, PredictOutputOntoAFolderIsRefused) {
  ASSERT_EQ(train().exit_code, 0);
  fs::create_directories(dir_->path() / "taken.json");
  expect_error(
      run_melclass("predict --threads 1 --run " + (dir_->path() / "run").string() + " --data " +
                   root_.string() + " --out " + (dir_->path() / "taken.json").string()),
      "taken.json", "is a folder, not a file");
  EXPECT_TRUE(fs::is_directory(dir_->path() / "taken.json"));
  EXPECT_FALSE(fs::exists(dir_->path() / "taken.csv")) << "refused, yet the CSV was written";
  // Nor over the run's own files or into the dataset.
  const std::string predict = "predict --threads 1 --run " + (dir_->path() / "run").string() +
                              " --data " + root_.string() + " --out ";
  const fs::path config = dir_->path() / "run" / "config.json";
  const std::string before = read_text(config);
  expect_error(run_melclass(predict + config.string()), "config.json",
               "would overwrite a file of the run");
  EXPECT_EQ(read_text(config), before);
  expect_error(run_melclass(predict + (root_ / "test" / "p.json").string()), "p.json",
               "inside the dataset's test folder");
}

TEST_F(BadInput, MissingRunFolder) {
  expect_error(run_melclass("predict --run /nonexistent/run --data " + root_.string()),
               "/nonexistent/run", "run folder not found");
}

TEST_F(BadInput, ReportOfNoRunIsOneLine) {
  const auto r = run_melclass("report --run " + root_.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(is_one_clear_error(r.output)) << r.output;
  EXPECT_EQ(r.output.find('\n'), r.output.size() - 1) << r.output;  // no "report: " before it
  EXPECT_NE(r.output.find("neither a run folder"), std::string::npos) << r.output;
}

}  // namespace
