// train::MelCache: audio sources decoded once into .npy copies, removed after.

#include <fstream>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "audio/audio_testing.h"
#include "core/testing.h"
#include "melclass/data/spectrogram.h"
#include "melclass/io/npy.h"
#include "melclass/train/mel_cache.h"

namespace fs = std::filesystem;
using melclass::testing::audio_fixture;
using melclass::testing::TempDir;
using melclass::train::MelCache;
using melclass::train::TrackSource;

TEST(MelCache, AudioSourcesPointToEqualNpyCopiesUntilDestroyed) {
  TempDir dir("melcache");
  const fs::path npy = dir / "given.npy";
  melclass::io::write_npy(npy, torch::rand({128, 20}));
  const fs::path wav = audio_fixture("chirp_16k.wav"),
                 flac = audio_fixture("chord_44k1_stereo.flac");
  std::vector<TrackSource> sources = {{wav, {}}, {npy, {}}, {flac, {1, 2}}, {wav, {}}};
  const fs::path cache_dir = dir / "run" / "mel_cache";
  {
    MelCache cache(sources, cache_dir, 128, 2);
    EXPECT_EQ(cache.cached(), 3u);
    EXPECT_EQ(sources[1].file, npy);  // already a spectrogram: untouched
    EXPECT_EQ(sources[2].text, (std::vector<int64_t>{1, 2}));
    for (size_t i : {0, 2, 3}) {
      EXPECT_EQ(sources[i].file.parent_path(), cache_dir);
      EXPECT_EQ(sources[i].file.extension(), ".npy");
      const fs::path original = i == 2 ? flac : wav;
      EXPECT_TRUE(torch::equal(melclass::data::load_spectrogram(sources[i].file, 128),
                               melclass::data::load_spectrogram(original, 128)))
          << i;
    }
    EXPECT_NE(sources[0].file, sources[3].file);  // one copy per source
  }
  EXPECT_FALSE(fs::exists(cache_dir));
  EXPECT_TRUE(fs::exists(npy));
}

TEST(MelCache, NoAudioCreatesNothing) {
  TempDir dir("melcache");
  std::vector<TrackSource> sources = {{dir / "a.npy", {}}, {fs::path(), {3}}};
  const MelCache cache(sources, dir / "cache", 128, 2);
  EXPECT_EQ(cache.cached(), 0u);
  EXPECT_FALSE(fs::exists(dir / "cache"));
  EXPECT_EQ(sources[0].file, dir / "a.npy");
}

TEST(MelCache, UndecodableFileIsNamedAndLeavesNoFolder) {
  TempDir dir("melcache");
  const fs::path bad = dir / "broken.wav";
  std::ofstream(bad) << "not audio";
  std::vector<TrackSource> sources = {{audio_fixture("chirp_16k.wav"), {}}, {bad, {}}};
  EXPECT_MELCLASS_ERROR(MelCache(sources, dir / "cache", 128, 2), "audio: ", bad.string(),
                        "cannot decode");
  EXPECT_FALSE(fs::exists(dir / "cache"));
  EXPECT_EQ(sources[1].file, bad);
}
