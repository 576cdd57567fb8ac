// melclass extract, and train/predict on datasets whose mel folders hold audio.

#include <cmath>
#include <cstdint>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_util.h"

namespace fs = std::filesystem;
using melclass::testing::is_one_clear_error;
using melclass::testing::make_dataset;
using melclass::testing::read_text;
using melclass::testing::run_melclass;
using melclass::testing::TempDir;

namespace {

fs::path fixture(const std::string& name) { return fs::path(MELCLASS_FIXTURES) / "audio" / name; }

void copy_to(const std::string& name, const fs::path& to) {
  fs::create_directories(to.parent_path());
  fs::copy_file(fixture(name), to);
}

void put_le(std::ofstream& out, uint32_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.put(static_cast<char>((value >> (8 * i)) & 0xff));
}

// A 16 kHz mono 16-bit PCM WAV: a tone at `hz` with a 4 Hz tremolo.
void write_wav(const fs::path& path, double seconds, double hz) {
  const uint32_t rate = 16000, n = static_cast<uint32_t>(seconds * rate);
  std::ofstream out(path, std::ios::binary);
  out << "RIFF";
  put_le(out, 36 + 2 * n, 4);
  out << "WAVEfmt ";
  put_le(out, 16, 4);
  put_le(out, 1, 2);  // PCM
  put_le(out, 1, 2);  // mono
  put_le(out, rate, 4);
  put_le(out, rate * 2, 4);
  put_le(out, 2, 2);
  put_le(out, 16, 2);
  out << "data";
  put_le(out, 2 * n, 4);
  for (uint32_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / rate;
    const double v = 0.4 * (0.6 + 0.4 * std::sin(2 * M_PI * 4 * t)) * std::sin(2 * M_PI * hz * t);
    put_le(out, static_cast<uint16_t>(static_cast<int16_t>(std::lround(v * 32767))), 2);
  }
}

// Replaces every spectrogram of ROOT's mel_spectrogram folders with a WAV of the same stem.
int replace_spectrograms_with_audio(const fs::path& root) {
  int count = 0;
  for (const char* part : {"train/train_data", "test/test_data"}) {
    const fs::path mel = root / part / "mel_spectrogram";
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(mel)) files.push_back(e.path());
    for (const fs::path& f : files) {
      const double hz = 200.0 + 37.0 * (std::hash<std::string>()(f.stem().string()) % 50);
      fs::remove(f);
      write_wav(mel / (f.stem().string() + ".wav"), 3.0, hz);
      ++count;
    }
  }
  return count;
}

}  // namespace

TEST(ExtractCli, FolderTreeKeepsItsStructure) {
  TempDir dir("extract-tree");
  copy_to("chirp_16k.wav", dir.path() / "in" / "chirp.wav");
  copy_to("chord_44k1_stereo.mp3", dir.path() / "in" / "a" / "chord.mp3");
  copy_to("chord_44k1_stereo.flac", dir.path() / "in" / "a" / "b" / "chord.FLAC");
  copy_to("short_16k.wav", dir.path() / "single.wav");
  const fs::path out = dir.path() / "out";
  const auto r = run_melclass("extract " + (dir.path() / "in").string() + " " +
                              (dir.path() / "single.wav").string() + " --out " + out.string() +
                              " --threads 2 --no-progress");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("extracted 4 of 4 files"), std::string::npos) << r.output;
  for (const char* f : {"chirp.npy", "a/chord.npy", "a/b/chord.npy", "single.npy"})
    EXPECT_TRUE(fs::is_regular_file(out / f)) << f;
  // A .npy header: float32 [1, 128, 47] for 1.5 s at 16 kHz.
  EXPECT_NE(read_text(out / "chirp.npy").find("(1, 128, 47)"), std::string::npos);
}

TEST(ExtractCli, UndecodableFileIsNamedSkippedAndFailsTheRun) {
  TempDir dir("extract-bad");
  copy_to("chirp_16k.wav", dir.path() / "in" / "good.wav");
  copy_to("short_16k.wav", dir.path() / "in" / "also_good.ogg.wav");
  const fs::path bad = dir.path() / "in" / "bad.flac";
  melclass::testing::write_text(bad, "fLaC but then garbage");
  const auto r = run_melclass("extract " + (dir.path() / "in").string() + " --out " +
                              (dir.path() / "out").string() + " --no-progress");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("melclass: skipped: audio: " + bad.string() + ": cannot decode"),
            std::string::npos)
      << r.output;
  EXPECT_TRUE(is_one_clear_error(r.output)) << r.output;
  EXPECT_NE(r.output.find("melclass: error: extract: 1 of 3 files could not be converted"),
            std::string::npos)
      << r.output;
  EXPECT_TRUE(fs::exists(dir.path() / "out" / "good.npy"));
  EXPECT_FALSE(fs::exists(dir.path() / "out" / "bad.npy"));
}

TEST(ExtractCli, BadArgumentsAreOneLine) {
  TempDir dir("extract-args");
  auto r = run_melclass("extract " + (dir.path() / "missing").string() + " --out " + dir.str());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(is_one_clear_error(r.output)) << r.output;
  EXPECT_NE(r.output.find("no such file or folder"), std::string::npos) << r.output;
  r = run_melclass("extract " + fixture("chirp_16k.wav").string() + " --out " + dir.str() +
                   " --fmax 9000");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(is_one_clear_error(r.output)) << r.output;
}

TEST(ExtractCli, TrainAndPredictOnAudioFolders) {
  TempDir dir("extract-e2e");
  const fs::path root = dir.path() / "data", run = dir.path() / "run";
  make_dataset(root, "station", 12);
  EXPECT_EQ(replace_spectrograms_with_audio(root), 12);  // train and test tracks
  auto r = run_melclass("train --data " + root.string() + " --out " + run.string() +
                        " --epochs 1 --threads 2 --seed 3 --quiet --set val_fraction=0.1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(fs::exists(run / "mel_cache"));  // the decoded copies are gone after training
  // Each audio file is decoded once into a cache; the run equals one trained on
  // the same mels extracted beforehand (same losses to the last digit).
  const fs::path npy_root = dir.path() / "npy";
  fs::copy(root, npy_root, fs::copy_options::recursive);
  const fs::path train_mels = fs::path("train") / "train_data" / "mel_spectrogram";
  fs::remove_all(npy_root / train_mels);
  r = run_melclass("extract " + (root / train_mels).string() + " --out " +
                   (npy_root / train_mels).string() + " --threads 2 --no-progress");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_melclass("train --data " + npy_root.string() + " --out " +
                   (dir.path() / "run_npy").string() +
                   " --epochs 1 --threads 2 --seed 3 --quiet --set val_fraction=0.1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto losses = [](const fs::path& run_dir) {
    const auto line = nlohmann::json::parse(read_text(run_dir / "metrics.jsonl"));
    return std::make_pair(line["train_loss"].get<double>(), line["val_loss"].get<double>());
  };
  EXPECT_EQ(losses(run), losses(dir.path() / "run_npy"));
  const fs::path pred = dir.path() / "pred.json";
  r = run_melclass("predict --run " + run.string() + " --data " + root.string() + " --out " +
                   pred.string() + " --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto order =
      nlohmann::json::parse(read_text(root / "test" / "test_data" / "meta" / "q1_test.json"));
  EXPECT_EQ(nlohmann::json::parse(read_text(pred)).size(), order["track_index"].size());
  // A broken audio file stops training with its name.
  const fs::path mel = root / "train" / "train_data" / "mel_spectrogram";
  const fs::path victim = fs::directory_iterator(mel)->path();
  melclass::testing::write_text(victim, "not audio");
  r = run_melclass("train --data " + root.string() + " --out " + (dir.path() / "run2").string() +
                   " --epochs 1 --threads 2 --quiet");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(is_one_clear_error(r.output)) << r.output;
  EXPECT_NE(r.output.find("audio: " + victim.string() + ": cannot decode"), std::string::npos)
      << r.output;
}
