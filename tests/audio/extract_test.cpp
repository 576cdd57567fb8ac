// audio::collect_extract_jobs and audio::extract.

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "audio/audio_testing.h"
#include "core/testing.h"
#include "melclass/audio/extract.h"
#include "melclass/audio/mel_stream.h"
#include "melclass/io/npy.h"

namespace fs = std::filesystem;
using namespace melclass::audio;
using melclass::testing::audio_fixture;
using melclass::testing::TempDir;

namespace {
void copy_fixture(const std::string& name, const fs::path& to) {
  fs::create_directories(to.parent_path());
  fs::copy_file(audio_fixture(name), to);
}
}  // namespace

TEST(ExtractJobs, FoldersKeepTheirStructureFilesGoFlat) {
  TempDir dir("jobs");
  copy_fixture("short_16k.wav", dir / "in/a/one.WAV");
  copy_fixture("short_16k.wav", dir / "in/a/b/two.flac");
  copy_fixture("short_16k.wav", dir / "in/three.mp3");
  melclass::testing::write_text(dir / "in/notes.txt", "not audio");
  copy_fixture("short_16k.wav", dir / "single/four.ogg");
  const auto jobs = collect_extract_jobs({dir / "in", dir / "single/four.ogg"}, dir / "out");
  ASSERT_EQ(jobs.size(), 4u);
  EXPECT_EQ(jobs[0].output, dir / "out/a/b/two.npy");
  EXPECT_EQ(jobs[1].output, dir / "out/a/one.npy");
  EXPECT_EQ(jobs[2].output, dir / "out/three.npy");
  EXPECT_EQ(jobs[3].output, dir / "out/four.npy");
  EXPECT_EQ(jobs[3].input, dir / "single/four.ogg");
}

TEST(ExtractJobs, RefusesMissingInputsAndCollisions) {
  TempDir dir("jobs");
  const fs::path missing = dir / "nope.wav";
  EXPECT_MELCLASS_ERROR(collect_extract_jobs({missing}, dir / "out"),
                        "extract: " + missing.string() + ": no such file or folder");
  copy_fixture("short_16k.wav", dir / "a/x.wav");
  copy_fixture("short_16k.wav", dir / "b/x.wav");
  EXPECT_MELCLASS_ERROR(collect_extract_jobs({dir / "a/x.wav", dir / "b/x.wav"}, dir / "out"),
                        (dir / "out/x.wav.npy").string(), "two inputs would write this output");
}

TEST(ExtractJobs, BrokenLinksInAFolderAreSkipped) {
  TempDir dir("jobs");
  copy_fixture("short_16k.wav", dir / "in/good.wav");
  fs::create_symlink(dir / "in/loop.wav", dir / "in/loop.wav");  // stat() fails: ELOOP
  fs::create_symlink(dir / "gone.wav", dir / "in/dangling.wav");
  const auto jobs = collect_extract_jobs({dir / "in"}, dir / "out");
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].input, dir / "in/good.wav");
}

TEST(ExtractJobs, SameStemKeepsTheExtension) {
  TempDir dir("jobs");
  copy_fixture("short_16k.wav", dir / "in/x.wav");
  copy_fixture("short_16k.wav", dir / "in/x.mp3");
  copy_fixture("short_16k.wav", dir / "in/y.wav");
  const auto jobs = collect_extract_jobs({dir / "in"}, dir / "out");
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs[0].output, dir / "out/x.mp3.npy");
  EXPECT_EQ(jobs[1].output, dir / "out/x.wav.npy");
  EXPECT_EQ(jobs[2].output, dir / "out/y.npy");
}

TEST(Extract, WritesMelsSkipsUndecodableAndCounts) {
  TempDir dir("extract");
  copy_fixture("chirp_16k.wav", dir / "in/chirp.wav");
  copy_fixture("chord_44k1_stereo.flac", dir / "in/sub/chord.flac");
  copy_fixture("silence_16k.wav", dir / "in/sub/deeper/silence.wav");
  melclass::testing::write_text(dir / "in/broken.mp3", "ID3 but nothing after it");
  ExtractOptions o;
  o.inputs = {dir / "in"};
  o.out_dir = dir / "out";
  o.threads = 2;
  o.progress = false;
  std::vector<std::string> reported;
  o.on_failure = [&](const std::string& line) { reported.push_back(line); };
  const ExtractResult r = extract(o);
  EXPECT_EQ(r.ok, 3);
  EXPECT_EQ(r.failed, 1);
  EXPECT_EQ(r.threads, 2);
  EXPECT_NEAR(r.audio_seconds, 1.5 + 0.5 + 0.5, 1e-6);
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_NE(reported[0].find("audio: " + (dir / "in/broken.mp3").string() + ": cannot decode"),
            std::string::npos)
      << reported[0];
  EXPECT_FALSE(fs::exists(dir / "out/broken.npy"));
  const at::Tensor chirp = melclass::io::read_npy(dir / "out/chirp.npy");
  EXPECT_EQ(chirp.sizes(), (at::IntArrayRef{1, 128, 47}));
  const MelFrontend frontend{MelOptions()};
  EXPECT_TRUE(at::equal(chirp, audio_file_mel(audio_fixture("chirp_16k.wav"), frontend)));
  EXPECT_EQ(melclass::io::read_npy(dir / "out/sub/chord.npy").sizes(),
            (at::IntArrayRef{1, 128, 16}));
  EXPECT_TRUE(fs::exists(dir / "out/sub/deeper/silence.npy"));
}

TEST(Extract, MelOptionsReachTheOutput) {
  TempDir dir("extract");
  ExtractOptions o;
  o.inputs = {audio_fixture("chirp_16k.wav")};
  o.out_dir = dir.path();
  o.progress = false;
  o.mel.n_mels = 64;
  o.mel.hop = 256;
  EXPECT_EQ(extract(o).ok, 1);
  EXPECT_EQ(melclass::io::read_npy(dir / "chirp_16k.npy").sizes(),
            (at::IntArrayRef{1, 64, 1 + 24000 / 256}));
  o.mel.f_max = 12000;
  EXPECT_MELCLASS_ERROR(extract(o), "mel: ", "f_max");
  o = ExtractOptions();
  o.out_dir = dir.path();
  EXPECT_MELCLASS_ERROR(extract(o), "extract: ", "no input");
}
