// data::LabelVocab and data::task helpers.

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "melclass/data/labels.h"
#include "melclass/data/task.h"

using namespace melclass::data;
using melclass::testing::TempDir;
using melclass::testing::write_text;

TEST(LabelVocab, SortsAndDeduplicates) {
  const LabelVocab v({"Q3", "Q1", "Q2", "Q1"}, false);
  EXPECT_EQ(v.labels(), (std::vector<std::string>{"Q1", "Q2", "Q3"}));
  EXPECT_EQ(v.size(), 3u);
  EXPECT_FALSE(v.multi_label());
  EXPECT_EQ(v.label(2), "Q3");
  EXPECT_EQ(v.find("Q1"), 0);
  EXPECT_EQ(v.find("Q3"), 2);
  EXPECT_EQ(v.find("Q0"), -1);
  EXPECT_EQ(v.find("Q4"), -1);
  EXPECT_EQ(v.find(""), -1);
}

TEST(LabelVocab, TooFewClasses) {
  EXPECT_MELCLASS_ERROR(LabelVocab({"only", "only"}, false), "labels", "at least two classes");
  EXPECT_MELCLASS_ERROR(LabelVocab({}, true), "at least");
  EXPECT_EQ(LabelVocab({"calm"}, true).size(), 1u);
  EXPECT_MELCLASS_ERROR(LabelVocab({"Q1"}, false, "root/train/train_label"),
                        "labels: root/train/train_label: ", "got 1");
}

TEST(LabelVocab, UnknownLabelNamesIt) {
  const LabelVocab v({"R&B", "레게"}, false);
  EXPECT_EQ(v.index("레게", "train", "x"), 1);
  EXPECT_MELCLASS_ERROR(v.index("J-ROCK", "train", "train/train_label"),
                        "train: train/train_label: label 'J-ROCK' was never seen in training");
}

TEST(LabelVocab, EncodeSingleLabel) {
  const LabelVocab v({"a", "b", "c"}, false);
  const at::Tensor t = v.encode({"c"}, "c", "s");
  EXPECT_EQ(t.dim(), 0);
  EXPECT_EQ(t.scalar_type(), at::kLong);
  EXPECT_EQ(t.item<int64_t>(), 2);
  EXPECT_MELCLASS_ERROR(v.encode({"a", "b"}, "c", "s"), "exactly one label");
  EXPECT_MELCLASS_ERROR(v.encode({}, "c", "s"), "exactly one label");
  EXPECT_MELCLASS_ERROR(v.encode({"z"}, "c", "s"), "'z'");
}

TEST(LabelVocab, EncodeMultiHot) {
  const LabelVocab v({"calm", "dark", "happy", "sad"}, true);
  const at::Tensor t = v.encode({"sad", "calm"}, "c", "s");
  EXPECT_EQ(t.scalar_type(), at::kFloat);
  EXPECT_TRUE(at::equal(t, at::tensor({1.0f, 0.0f, 0.0f, 1.0f})));
  EXPECT_TRUE(at::equal(v.encode({}, "c", "s"), at::zeros({4})));
  EXPECT_MELCLASS_ERROR(v.encode({"calm", "angry"}, "c", "s"), "'angry'");
}

TEST(LabelVocab, SaveLoadRoundTrip) {
  TempDir dir;
  const LabelVocab multi({"mood01", "가요곡/엔카", "R&B \"x\""}, true);
  multi.save(dir / "labels.json");
  const LabelVocab back = LabelVocab::load(dir / "labels.json");
  EXPECT_EQ(back.labels(), multi.labels());
  EXPECT_TRUE(back.multi_label());
  const LabelVocab single({"a", "b"}, false);
  single.save(dir / "labels.json");  // overwrite
  EXPECT_FALSE(LabelVocab::load(dir / "labels.json").multi_label());
}

TEST(LabelVocab, LoadErrorsNameFile) {
  TempDir dir;
  const auto path = dir / "labels.json";
  EXPECT_MELCLASS_ERROR(LabelVocab::load(path), path.string());
  for (const char* text :
       {"not json", "{\"labels\": [\"a\", \"b\"]}", "{\"labels\": \"a\", \"multi_label\": false}",
        "{\"labels\": [1, 2], \"multi_label\": false}"}) {
    SCOPED_TRACE(text);
    write_text(path, text);
    EXPECT_MELCLASS_ERROR(LabelVocab::load(path), "labels: " + path.string(),
                          "invalid vocabulary file");
  }
  write_text(path, "{\"labels\": [\"a\"], \"multi_label\": false}");
  EXPECT_MELCLASS_ERROR(LabelVocab::load(path), "at least two classes");
}

TEST(Task, InfoAndParse) {
  EXPECT_EQ(parse_task("station"), Task::kStation);
  EXPECT_EQ(parse_task("mood"), Task::kMood);
  EXPECT_EQ(parse_task("genre"), Task::kGenre);
  EXPECT_MELCLASS_ERROR(parse_task("Genre"), "task: unknown task 'Genre'");
  EXPECT_EQ(task_info(Task::kStation).label_column, "station_name");
  EXPECT_EQ(task_info(Task::kMood).label_column, "mood_tag");
  EXPECT_TRUE(task_info(Task::kMood).multi_label);
  EXPECT_FALSE(task_info(Task::kGenre).multi_label);
  EXPECT_EQ(task_info(Task::kStation).test_meta_file, "q1_test.json");
  EXPECT_EQ(task_info(Task::kMood).test_meta_file, "q2_test.json");
  EXPECT_EQ(task_info(Task::kGenre).test_meta_file, "q3_test.json");
  EXPECT_EQ(task_info(Task::kMood).metric_name, "micro_f1");
  EXPECT_EQ(task_info(Task::kGenre).metric_name, "accuracy");
  for (const Task t : {Task::kStation, Task::kMood, Task::kGenre})
    EXPECT_EQ(parse_task(task_info(t).name), t);
}

TEST(Task, Detect) {
  EXPECT_EQ(detect_task({"track_index", "station_name"}), Task::kStation);
  EXPECT_EQ(detect_task({"mood_tag", "track_index"}), Task::kMood);
  EXPECT_EQ(detect_task({"genre", "track_title"}), Task::kGenre);
  EXPECT_EQ(detect_task({"genre", "station_name"}), Task::kStation);  // first match wins
  EXPECT_FALSE(detect_task({"track_index", "label"}).has_value());
  EXPECT_FALSE(detect_task({}).has_value());
}
