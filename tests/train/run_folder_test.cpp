// What train, cv and load_run leave behind and accept when something goes
// wrong: a failed run never replaces an earlier one, and a run folder with
// broken weights or missing files is refused rather than used.

#include <functional>
#include <limits>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/testing.h"
#include "melclass/core/atomic_file.h"
#include "melclass/data/dataset.h"
#include "melclass/io/npy.h"
#include "melclass/train/cv.h"
#include "melclass/train/run_dir.h"
#include "melclass/train/trainer.h"
#include "train/train_testing.h"

namespace fs = std::filesystem;
using namespace melclass;
using melclass::testing::count_entries;
using melclass::testing::read_bytes;
using melclass::testing::TempDir;
using melclass::testing::tiny_config;
using melclass::testing::write_synth;

namespace {

// Puts a NaN into the first training track's spectrogram.
void poison_first_track(const fs::path& root) {
  data::DatasetOptions o;
  o.root = root;
  const auto ds = data::Dataset::load(o, data::Split::kTrain);
  const fs::path file = ds.spectrogram_file(ds.tracks().front());
  at::Tensor x = io::read_npy(file);
  x.view(-1)[0] = std::numeric_limits<float>::quiet_NaN();
  io::write_npy(file, x);
}

// Rewrites run's model.pt after `edit` changes the loaded model's weights.
void edit_checkpoint(const fs::path& run,
                     const std::function<void(models::ClassifierImpl&)>& edit) {
  auto loaded = train::load_run(run, torch::kCPU);
  edit(*loaded.model);
  // LibTorch's archive directly: save_checkpoint refuses NaN weights itself.
  torch::serialize::OutputArchive archive;
  loaded.model->save(archive);
  archive.save_to(train::checkpoint_file(run).string());
}

}  // namespace

TEST(RunFolder, FailedTrainingLeavesTheEarlierRunAsItWas) {
  TempDir dir("runfolder");
  write_synth(dir / "data");
  const fs::path run = dir / "run";
  train::train_model(tiny_config(dir / "data", run));
  const std::string config = read_bytes(train::config_file(run));
  const std::string model = read_bytes(train::checkpoint_file(run));
  poison_first_track(dir / "data");
  auto c = tiny_config(dir / "data", run, /*seed=*/7);
  EXPECT_MELCLASS_ERROR(train::train_model(c), "NaN or Inf");
  EXPECT_EQ(read_bytes(train::config_file(run)), config);
  EXPECT_EQ(read_bytes(train::checkpoint_file(run)), model);
  EXPECT_EQ(count_entries(dir.path()), 2u) << "a staging folder was left behind";
  EXPECT_NO_THROW(train::load_run(run, torch::kCPU));
}

TEST(RunFolder, TrainRefusesToReplaceAFolderItDidNotWrite) {
  TempDir dir("runfolder");
  write_synth(dir / "data");
  melclass::testing::write_text(dir / "music/song.txt", "keep");
  EXPECT_MELCLASS_ERROR(train::train_model(tiny_config(dir / "data", dir / "music")),
                        "holds files melclass did not write: not replaced");
  EXPECT_TRUE(fs::exists(dir / "music/song.txt"));
  // config.json alone does not make a folder a run: the other files are not ours.
  melclass::testing::write_text(dir / "project/config.json", "{}");
  melclass::testing::write_text(dir / "project/src/main.cpp", "int main() {}");
  EXPECT_MELCLASS_ERROR(train::train_model(tiny_config(dir / "data", dir / "project")),
                        "did not write");
  // Nor is a run with the training data inside it (train --data R/ds --out R).
  train::train_model(tiny_config(dir / "data", dir / "run"));
  fs::rename(dir / "data", dir / "run/ds");
  EXPECT_MELCLASS_ERROR(train::train_model(tiny_config(dir / "run/ds", dir / "run")),
                        "did not write");
  EXPECT_TRUE(fs::exists(dir / "run/ds/train/train_label"));
}

TEST(RunFolder, CvNeedsAsManyArtistsAsFoldsAndWritesNothingElse) {
  TempDir dir("runfolder");
  write_synth(dir / "data");
  auto c = tiny_config(dir / "data", dir / "cv");
  EXPECT_MELCLASS_ERROR(train::run_cv(c, 50), "50 folds need at least as many artists");
  EXPECT_FALSE(fs::exists(dir / "cv"));
}

TEST(RunFolder, CheckpointsWithNaNWeightsAreRefused) {
  TempDir dir("runfolder");
  write_synth(dir / "data");
  const fs::path run = dir / "run";
  train::train_model(tiny_config(dir / "data", run));
  edit_checkpoint(run, [](models::ClassifierImpl& m) {
    torch::NoGradGuard no_grad;
    m.parameters().front().view(-1)[0] = std::numeric_limits<float>::quiet_NaN();
  });
  EXPECT_MELCLASS_ERROR(train::load_run(run, torch::kCPU), "run: ", "model.pt",
                        "holds NaN/Inf values");
  auto model = train::build_model(tiny_config(dir / "data", run), 4);
  {
    torch::NoGradGuard no_grad;
    model->parameters().front().fill_(std::numeric_limits<float>::infinity());
  }
  EXPECT_MELCLASS_ERROR(train::save_checkpoint(dir / "other", *model), "training diverged");
  EXPECT_FALSE(fs::exists(dir / "other"));
}

TEST(RunFolder, FilesTheRecipeUsesMustBeThere) {
  TempDir dir("runfolder");
  write_synth(dir / "data");
  const fs::path run = dir / "run";
  auto c = tiny_config(dir / "data", run);
  c.recipe.classic_blend = 0.3;
  c.recipe.artist_prior = 1;
  train::train_model(c);
  fs::remove(train::artist_labels_file(run));
  EXPECT_MELCLASS_ERROR(train::load_run(run, torch::kCPU), "artist_labels.json",
                        "missing from the run folder");
  fs::remove(train::classic_file(run));
  EXPECT_MELCLASS_ERROR(train::load_run(run, torch::kCPU), "classic.json",
                        "missing from the run folder");
}
