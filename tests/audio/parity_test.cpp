// Mel parity with references computed outside melclass: tests/fixtures/audio
// (SoX + float64 NumPy, see its README) and, when present beside the
// checkout, shared/data/melref. Tolerances from tests/fixtures/audio/README.md.

#include <cstdio>
#include <map>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "audio/audio_testing.h"
#include "core/testing.h"
#include "melclass/audio/decode.h"
#include "melclass/audio/mel_stream.h"
#include "melclass/io/npy.h"

namespace fs = std::filesystem;
using namespace melclass::audio;
using melclass::testing::audio_fixture;
using melclass::testing::db_error;
using melclass::testing::DbError;

namespace {

constexpr double kMaxDbAt16k = 0.05;      // no resampling: float32 rounding only
constexpr double kMeanDbResampled = 0.5;  // resampler filters differ between libraries

struct Comparison {
  at::Tensor ours, reference;
  DbError error;
  bool resampled = false, mp3 = false;

  bool frames_ok() const {
    const int64_t d = std::abs(ours.size(-1) - reference.size(-1));
    return mp3 ? d <= 2 : d == 0;
  }
  bool ok() const {
    if (!frames_ok() || ours.size(1) != reference.size(1)) return false;
    if (error.bins == 0) return ours.abs().max().item<double>() <= 1e-12;  // silent reference
    return resampled ? error.mean <= kMeanDbResampled : error.max <= kMaxDbAt16k;
  }
};

Comparison compare(const fs::path& audio) {
  static const MelFrontend frontend{MelOptions()};
  Comparison c;
  c.ours = audio_file_mel(audio, frontend);
  c.reference = melclass::io::read_npy(audio.string() + ".mel.npy");
  c.error = db_error(c.ours, c.reference);
  c.resampled = probe_audio(audio).sample_rate != frontend.options().sample_rate;
  c.mp3 = audio.extension() == ".mp3";
  std::printf("  %-32s T %lld (ref %lld)  worst %.4f dB  mean %.4f dB over %lld bins\n",
              audio.filename().c_str(), static_cast<long long>(c.ours.size(-1)),
              static_cast<long long>(c.reference.size(-1)), c.error.max, c.error.mean,
              static_cast<long long>(c.error.bins));
  return c;
}

}  // namespace

TEST(MelParity, SixteenKilohertzWithinFiveHundredthsOfADecibel) {
  for (const char* name : {"chirp_16k.wav", "short_16k.wav"}) {
    const Comparison c = compare(audio_fixture(name));
    EXPECT_EQ(c.ours.sizes(), c.reference.sizes()) << name;
    EXPECT_GT(c.error.bins, 0) << name;
    EXPECT_LE(c.error.max, kMaxDbAt16k) << name;
  }
}

TEST(MelParity, ResampledStereoWithinHalfADecibelOnAverage) {
  for (const char* name : {"chord_44k1_stereo.wav", "chord_44k1_stereo.flac"}) {
    const Comparison c = compare(audio_fixture(name));
    EXPECT_EQ(c.ours.sizes(), c.reference.sizes()) << name;
    EXPECT_LE(c.error.mean, kMeanDbResampled) << name;
  }
}

TEST(MelParity, Mp3OverlappingFrames) {
  const Comparison c = compare(audio_fixture("chord_44k1_stereo.mp3"));
  EXPECT_TRUE(c.frames_ok()) << c.ours.size(-1) << " vs " << c.reference.size(-1);
  EXPECT_LE(c.error.mean, kMeanDbResampled);
}

TEST(MelParity, SilenceAndShortFilesGiveValidArrays) {
  const Comparison silence = compare(audio_fixture("silence_16k.wav"));
  EXPECT_EQ(silence.ours.sizes(), (at::IntArrayRef{1, 128, 16}));
  EXPECT_EQ(silence.ours.abs().max().item<float>(), 0.0f);
  const Comparison shorter = compare(audio_fixture("short_16k.wav"));  // 800 samples < n_fft
  EXPECT_EQ(shorter.ours.sizes(), (at::IntArrayRef{1, 128, 2}));
  EXPECT_TRUE(at::isfinite(shorter.ours).all().item<bool>());
}

// shared/data/melref: 6 audio files with NAME.mel.npy references made
// independently (same convention and tolerances). A reference byte-identical
// to another file's cannot belong to both: such a group passes when one of
// its files matches (shared/data/melref ships chord_44k1_stereo.wav's
// reference as a copy of the MP3's, whose first frame is the decoder delay).
TEST(MelParity, SharedMelrefFolder) {
  const fs::path dir = fs::path(MELCLASS_SOURCE_DIR) / ".." / "shared" / "data" / "melref";
  if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " not present";
  std::map<std::string, std::vector<std::pair<std::string, bool>>> by_reference;
  std::printf("melref (%s):\n", dir.c_str());
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!is_audio_path(entry.path())) continue;
    const fs::path audio = entry.path();
    ASSERT_TRUE(fs::exists(audio.string() + ".mel.npy")) << audio;
    const Comparison c = compare(audio);
    const std::string bytes = melclass::testing::read_bytes(audio.string() + ".mel.npy");
    by_reference[bytes].emplace_back(audio.filename().string(), c.ok());
  }
  EXPECT_FALSE(by_reference.empty());
  for (const auto& [bytes, files] : by_reference) {
    bool any = false;
    std::string names;
    for (const auto& [name, ok] : files) any = any || ok, names += " " + name;
    if (files.size() > 1)
      std::printf("  note: these files share one reference (only one can match):%s\n",
                  names.c_str());
    EXPECT_TRUE(any) << "outside tolerance:" << names;
  }
}
