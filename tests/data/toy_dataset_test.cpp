// data::write_toy_dataset: loadable for every task, deterministic per seed.

#include <map>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "melclass/data/dataset.h"
#include "melclass/data/spectrogram.h"
#include "melclass/data/toy_dataset.h"

namespace fs = std::filesystem;
using namespace melclass::data;
using melclass::testing::read_bytes;
using melclass::testing::TempDir;

namespace {

ToyDatasetOptions small(const fs::path& root, Task task, uint64_t seed = 0) {
  ToyDatasetOptions o;
  o.root = root;
  o.task = task;
  o.tracks = 12;
  o.seed = seed;
  o.min_frames = 8;
  o.max_frames = 24;
  return o;
}

// Every file under `root`, relative path -> bytes.
std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) files[fs::relative(e.path(), root).string()] = read_bytes(e.path());
  return files;
}

}  // namespace

TEST(ToyDataset, LoadsForEveryTask) {
  for (const Task task : {Task::kStation, Task::kMood, Task::kGenre}) {
    SCOPED_TRACE(task_info(task).name);
    TempDir dir("toy");
    write_toy_dataset(small(dir.path(), task));
    DatasetOptions o;
    o.root = dir.path();
    const auto train = Dataset::load(o, Split::kTrain);
    EXPECT_EQ(train.task(), task);  // detected from the label column
    o.task = task;
    const auto test = Dataset::load(o, Split::kTest);
    // n_test = max(4, 12 * 0.2) = 4; the rest is training data.
    EXPECT_EQ(train.tracks().size(), 8u);
    EXPECT_EQ(test.tracks().size(), 4u);
    EXPECT_EQ(test.tracks()[0].id, "1008");  // ids 1000 + i, test = the last 4
    EXPECT_EQ(test.tracks()[0].meta["track_title"], "Track 1008");
    EXPECT_EQ(train.tracks()[3].meta["track_title"], "Track 1003");  // joined from track_meta
    for (const auto* ds : {&train, &test})
      for (const auto& t : ds->tracks()) {
        EXPECT_FALSE(t.labels.empty()) << t.id;
        const at::Tensor mel = load_spectrogram(ds->spectrogram_file(t));
        EXPECT_GE(mel.size(1), 8);
        EXPECT_LE(mel.size(1), 24);
        EXPECT_GT(mel.max().item<float>(), 0.0f);
      }
    const auto labels = train.label_set();
    if (task == Task::kStation) {
      EXPECT_EQ(labels, (std::vector<std::string>{"Q1", "Q2", "Q3", "Q4"}));
    }
    if (task == Task::kGenre) {
      EXPECT_EQ(labels, (std::vector<std::string>{"J-ROCK", "R&B", "가요곡/엔카", "레게"}));
    }
    if (task == Task::kMood) {
      EXPECT_GT(labels.size(), 4u);
      for (const auto& l : labels) EXPECT_EQ(l.rfind("mood", 0), 0u) << l;
    }
  }
}

TEST(ToyDataset, SameSeedSameBytesOtherSeedOtherData) {
  TempDir a("toy-a"), b("toy-b"), c("toy-c");
  write_toy_dataset(small(a.path(), Task::kMood, 5));
  write_toy_dataset(small(b.path(), Task::kMood, 5));
  write_toy_dataset(small(c.path(), Task::kMood, 6));
  const auto sa = snapshot(a.path()), sb = snapshot(b.path()), sc = snapshot(c.path());
  EXPECT_EQ(sa.size(), 12u + 4u);  // 12 .npy + train_label, test_label, q2_test, track_meta
  EXPECT_TRUE(sa == sb) << "same seed wrote different files";
  ASSERT_EQ(sa.size(), sc.size());
  size_t differing = 0;
  for (const auto& [name, bytes] : sa) differing += sc.at(name) != bytes;
  EXPECT_GT(differing, 10u) << "another seed should change the spectrograms";
}

TEST(ToyDataset, InvalidOptions) {
  TempDir dir("toy");
  auto o = small(dir.path(), Task::kStation);
  o.tracks = 7;
  EXPECT_MELCLASS_ERROR(write_toy_dataset(o), "synth", "at least 8 tracks");
  o = small(dir.path(), Task::kStation);
  o.test_fraction = 1.0;
  EXPECT_MELCLASS_ERROR(write_toy_dataset(o), "test fraction");
  o = small(dir.path(), Task::kStation);
  o.min_frames = 0;
  EXPECT_MELCLASS_ERROR(write_toy_dataset(o), "frame range");
  o = small(dir.path(), Task::kStation);
  o.max_frames = 4;
  EXPECT_MELCLASS_ERROR(write_toy_dataset(o), "frame range");
  EXPECT_TRUE(fs::is_empty(dir.path())) << "nothing should be written for invalid options";
}
