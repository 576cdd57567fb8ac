// data::write_synth_dataset: the competition layout for every task, same
// bytes for a seed whatever the thread count, lengths in range, mood tags,
// and classes that differ in musical properties measured on the mel output.

#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "melclass/data/dataset.h"
#include "melclass/data/spectrogram.h"
#include "melclass/data/synth.h"
#include "melclass/data/synth_meta.h"

namespace fs = std::filesystem;
using namespace melclass::data;
using melclass::testing::read_bytes;
using melclass::testing::TempDir;

namespace {

SynthOptions small(const fs::path& root, Task task, uint64_t seed = 0, int threads = 2) {
  SynthOptions o;
  o.root = root;
  o.task = task;
  o.tracks = 12;
  o.seed = seed;
  o.min_seconds = 2;
  o.max_seconds = 6;
  o.threads = threads;
  return o;
}

// Frames of the mel of `seconds` of 16 kHz audio at hop 512 (centred frames).
int64_t frames_of(double seconds) { return 1 + std::llround(seconds * 16000) / 512; }

// Every file under `root`, relative path -> bytes.
std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) files[fs::relative(e.path(), root).string()] = read_bytes(e.path());
  return files;
}

void expect_joined_metadata(const Track& t) {
  EXPECT_TRUE(t.meta["track_title"].is_string() &&
              !t.meta["track_title"].get<std::string>().empty())
      << t.id;
  EXPECT_TRUE(t.meta["album.album_title"].is_string()) << t.meta.dump();
  EXPECT_TRUE(t.meta["album.release_ymd"].is_string()) << t.meta.dump();
  ASSERT_TRUE(t.meta["artists"].is_array() && !t.meta["artists"].empty()) << t.meta.dump();
  EXPECT_TRUE(t.meta["artists"][0]["artist_name"].is_string()) << t.meta.dump();
  EXPECT_TRUE(t.meta["genre"].is_string()) << t.meta.dump();
  EXPECT_TRUE(t.meta["play_time"].is_number_integer()) << t.meta.dump();
}

void expect_mood_tags(const Dataset& train, const Dataset& test) {
  const auto& vocabulary = synth::mood_tags();
  EXPECT_EQ(vocabulary.size(), 100u);
  const std::set<std::string> known(vocabulary.begin(), vocabulary.end());
  std::set<std::string> seen;
  for (const auto& t : train.tracks()) seen.insert(t.labels.begin(), t.labels.end());
  for (const auto* ds : {&train, &test})
    for (const auto& t : ds->tracks()) {
      EXPECT_GE(t.labels.size(), 1u) << t.id;
      EXPECT_LE(t.labels.size(), 5u) << t.id;
      for (const auto& tag : t.labels) {
        EXPECT_TRUE(known.count(tag)) << tag;
        if (ds == &test) {
          EXPECT_TRUE(seen.count(tag)) << "test tag never seen in train: " << tag;
        }
      }
    }
}

}  // namespace

TEST(Synth, LoadsForEveryTask) {
  for (const Task task : {Task::kStation, Task::kMood, Task::kGenre}) {
    SCOPED_TRACE(task_info(task).name);
    TempDir dir("synth");
    const auto summary = write_synth_dataset(small(dir.path(), task));
    EXPECT_EQ(summary.train_tracks, 8);  // n_test = max(4, 12 * 0.2) = 4
    EXPECT_EQ(summary.test_tracks, 4);
    EXPECT_GE(summary.audio_seconds, 12 * 2.0);
    EXPECT_LE(summary.audio_seconds, 12 * 6.0);
    for (const char* f : {"track_meta.json", "artist_meta.json", "album_meta.json"})
      EXPECT_TRUE(fs::is_regular_file(meta_dir_path(dir.path(), Split::kTrain) / f)) << f;
    DatasetOptions o;
    o.root = dir.path();
    const auto train = Dataset::load(o, Split::kTrain);
    EXPECT_EQ(train.task(), task);  // detected from the label column
    o.task = task;
    const auto test = Dataset::load(o, Split::kTest);
    ASSERT_EQ(train.tracks().size(), 8u);
    ASSERT_EQ(test.tracks().size(), 4u);
    for (const auto* ds : {&train, &test})
      for (const auto& t : ds->tracks()) {
        EXPECT_FALSE(t.labels.empty()) << t.id;
        expect_joined_metadata(t);
        const at::Tensor mel = load_spectrogram(ds->spectrogram_file(t));
        EXPECT_GE(mel.size(1), frames_of(2.0)) << t.id;
        EXPECT_LE(mel.size(1), frames_of(6.0)) << t.id;
        EXPECT_GT(mel.max().item<float>(), 0.0f);
      }
    if (task == Task::kStation) {
      EXPECT_EQ(train.label_set(), (std::vector<std::string>{"Q1", "Q2", "Q3", "Q4"}));
    }
    if (task == Task::kGenre) {
      EXPECT_EQ(train.label_set(),
                (std::vector<std::string>{"J-ROCK", "R&B", "가요곡/엔카", "레게"}));
      for (const auto* ds : {&train, &test})  // rush6 columns: from train_label / q3_test.json
        for (const auto& t : ds->tracks()) EXPECT_TRUE(t.meta["album_name"].is_string()) << t.id;
    }
    if (task == Task::kMood) expect_mood_tags(train, test);
  }
}

TEST(Synth, SameSeedSameBytesForAnyThreadCount) {
  TempDir a("synth-a"), b("synth-b"), c("synth-c");
  write_synth_dataset(small(a.path(), Task::kMood, 5, /*threads=*/1));
  write_synth_dataset(small(b.path(), Task::kMood, 5, /*threads=*/3));
  write_synth_dataset(small(c.path(), Task::kMood, 6, /*threads=*/2));
  const auto sa = snapshot(a.path()), sb = snapshot(b.path()), sc = snapshot(c.path());
  // 12 .npy + train_label, test_label, q2_test.json, track/artist/album meta,
  // synth.json.
  EXPECT_EQ(sa.size(), 12u + 7u);
  EXPECT_TRUE(sa == sb) << "same seed wrote different files with 1 and 3 threads";
  size_t differing = 0;
  for (const auto& [name, bytes] : sa) differing += !sc.count(name) || sc.at(name) != bytes;
  EXPECT_GT(differing, 10u) << "another seed should change the data";
}

TEST(Synth, LengthsStayInTheRequestedRange) {
  TempDir dir("synth-len");
  auto o = small(dir.path(), Task::kStation);
  o.tracks = 16;
  o.min_seconds = 3;
  o.max_seconds = 3.5;
  write_synth_dataset(o);
  for (const Split split : {Split::kTrain, Split::kTest})
    for (const auto& e : fs::directory_iterator(mel_dir_path(dir.path(), split))) {
      const int64_t t = check_spectrogram_header(e.path());
      EXPECT_GE(t, frames_of(3.0)) << e.path();
      EXPECT_LE(t, frames_of(3.5)) << e.path();
    }
}

// Per-class averages of simple statistics of the mel output: the style's
// musical properties must show in the spectrogram, not only in the labels.
TEST(Synth, ClassesDifferInMusicalProperties) {
  TempDir dir("synth-classes");
  auto o = small(dir.path(), Task::kStation, 11);
  o.tracks = 48;
  o.min_seconds = 6;
  o.max_seconds = 10;
  write_synth_dataset(o);
  DatasetOptions d;
  d.root = dir.path();
  const auto train = Dataset::load(d, Split::kTrain);
  std::map<std::string, std::vector<double>> centroid, onsets, level;
  const at::Tensor bands = at::arange(128, at::kFloat).unsqueeze(1);
  for (const auto& t : train.tracks()) {
    const at::Tensor mel = load_spectrogram(train.spectrogram_file(t));  // [128, T]
    const double c = ((mel * bands).sum() / mel.sum()).item<double>();
    // Onsets: local peaks of the positive spectral flux of log10(1 + 10 mel)
    // above its mean + 1 standard deviation (Bello et al. 2005, "A tutorial on
    // onset detection in music signals", IEEE TSAP 13(5)), per second.
    const at::Tensor x = at::log10(1 + 10 * mel);
    const at::Tensor flux = (x.slice(1, 1) - x.slice(1, 0, -1)).clamp_min(0).sum(0);
    const at::Tensor mid = flux.slice(0, 1, -1);
    const at::Tensor peaks =
        (mid > flux.slice(0, 0, -2)) & (mid >= flux.slice(0, 2)) & (mid > flux.mean() + flux.std());
    const double rate = peaks.sum().item<double>() / (mel.size(1) * 512.0 / 16000.0);
    centroid[t.labels[0]].push_back(c);
    onsets[t.labels[0]].push_back(rate);
    level[t.labels[0]].push_back(10.0 * std::log10(mel.mean().item<double>()));
  }
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return v.empty() ? 0.0 : s / static_cast<double>(v.size());
  };
  ASSERT_EQ(centroid.size(), 4u);
  for (const auto& [label, v] : centroid)
    std::printf("%s centroid %.1f onsets/s %.2f level %.1f dB\n", label.c_str(), mean(v),
                mean(onsets[label]), mean(level[label]));
  // Q1 (ballad: dark, sparse, quiet) against Q4 (rock: bright, busy, loud).
  EXPECT_GT(mean(centroid["Q4"]), mean(centroid["Q1"]) + 3.0);
  EXPECT_GT(mean(onsets["Q4"]), 1.3 * mean(onsets["Q1"]));
  EXPECT_GT(mean(level["Q4"]), mean(level["Q1"]) + 4.0);
}

TEST(Synth, InvalidOptionsWriteNothing) {
  TempDir dir("synth-bad");
  auto o = small(dir.path(), Task::kStation);
  o.tracks = 7;
  EXPECT_MELCLASS_ERROR(write_synth_dataset(o), "synth", "at least 8 tracks");
  o = small(dir.path(), Task::kStation);
  o.test_fraction = 1.0;
  EXPECT_MELCLASS_ERROR(write_synth_dataset(o), "test fraction");
  o = small(dir.path(), Task::kStation);
  o.min_seconds = 0;
  EXPECT_MELCLASS_ERROR(write_synth_dataset(o), "length range");
  o = small(dir.path(), Task::kStation);
  o.max_seconds = 1;
  EXPECT_MELCLASS_ERROR(write_synth_dataset(o), "length range");
  o = small(dir.path(), Task::kStation);
  o.threads = -1;
  EXPECT_MELCLASS_ERROR(write_synth_dataset(o), "threads");
  EXPECT_TRUE(fs::is_empty(dir.path())) << "nothing should be written for invalid options";
}

// A second synth into the same root replaces the dataset whole (no tracks or
// meta files of the first survive); a folder that is not a dataset is refused.
TEST(Synth, ReplacesAnEarlierDatasetWhole) {
  TempDir dir("synth-again");
  const fs::path root = dir / "data";
  write_synth_dataset(small(root, Task::kStation));
  melclass::testing::write_text(root / "train/train_data/mel_spectrogram/999999.npy", "stale");
  write_synth_dataset(small(root, Task::kMood));
  EXPECT_FALSE(fs::exists(root / "train/train_data/mel_spectrogram/999999.npy"));
  EXPECT_FALSE(fs::exists(root / "test/test_data/meta/q1_test.json")) << "station's test meta";
  EXPECT_TRUE(fs::exists(root / "test/test_data/meta/q2_test.json"));
  // A dataset without synth's marker (a real one) or with a run inside is not
  // synth's to replace.
  melclass::testing::write_text(root / "runs/best/config.json", "{}");
  EXPECT_MELCLASS_ERROR(write_synth_dataset(small(root, Task::kStation)), "did not write");
  EXPECT_TRUE(fs::exists(root / "runs/best/config.json"));
  fs::remove_all(root / "runs");
  fs::remove(root / "synth.json");
  EXPECT_MELCLASS_ERROR(write_synth_dataset(small(root, Task::kStation)), "did not write");
  EXPECT_TRUE(fs::exists(root / "test/test_data/meta/q2_test.json"));
  melclass::testing::write_text(dir / "notes/todo.txt", "mine");
  EXPECT_MELCLASS_ERROR(write_synth_dataset(small(dir / "notes", Task::kStation)),
                        "holds files melclass did not write: not replaced");
  EXPECT_TRUE(fs::exists(dir / "notes/todo.txt"));
}
