// audio::decode_audio, probe_audio, resampled_length, is_audio_path.

#include <cmath>
#include <fstream>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "audio/audio_testing.h"
#include "core/testing.h"
#include "melclass/audio/decode.h"
#include "melclass/audio/mel_stream.h"

using namespace melclass::audio;
using melclass::testing::audio_fixture;

namespace {

// A mono 32-bit float WAV (format 3) with any header rate and samples.
void write_float_wav(const std::string& path, int32_t rate, const std::vector<float>& samples) {
  std::ofstream out(path, std::ios::binary);
  auto u32 = [&](uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](uint16_t v) { out.write(reinterpret_cast<const char*>(&v), 2); };
  const auto bytes = static_cast<uint32_t>(samples.size() * 4);
  out << "RIFF";
  u32(36 + bytes);
  out << "WAVEfmt ";
  u32(16), u16(3), u16(1), u32(static_cast<uint32_t>(rate)), u32(static_cast<uint32_t>(rate) * 4);
  u16(4), u16(32);
  out << "data";
  u32(bytes);
  out.write(reinterpret_cast<const char*>(samples.data()), bytes);
}

}  // namespace

TEST(AudioPath, ExtensionsCaseInsensitive) {
  for (const char* name : {"a.wav", "b.FLAC", "c.Ogg", "d.oga", "e.mp3", "dir.x/f.MP3"})
    EXPECT_TRUE(is_audio_path(name)) << name;
  for (const char* name : {"a.npy", "b.wav.npy", "c", "d.aiff", "wav"})
    EXPECT_FALSE(is_audio_path(name)) << name;
}

TEST(ResampledLength, RoundsToNearest) {
  EXPECT_EQ(resampled_length(176400, 44100, 16000), 64000);
  EXPECT_EQ(resampled_length(22050, 44100, 16000), 8000);
  EXPECT_EQ(resampled_length(1, 44100, 16000), 0);  // 0.36 -> 0
  EXPECT_EQ(resampled_length(2, 44100, 16000), 1);  // 0.73 -> 1
  EXPECT_EQ(resampled_length(12345, 16000, 16000), 12345);
  EXPECT_EQ(resampled_length(4410000000LL, 44100, 48000), 4800000000LL);  // no overflow
}

TEST(Decode, AvailableInThisBuild) { EXPECT_TRUE(audio_decoding_available()); }

TEST(Decode, ProbeReadsTheHeader) {
  const AudioInfo info = probe_audio(audio_fixture("chord_44k1_stereo.flac"));
  EXPECT_EQ(info.sample_rate, 44100);
  EXPECT_EQ(info.channels, 2);
  EXPECT_EQ(info.frames, 22050);
}

TEST(Decode, LengthsAtTheTargetRate) {
  EXPECT_EQ(decode_audio(audio_fixture("chirp_16k.wav")).size(0), 24000);  // untouched
  EXPECT_EQ(decode_audio(audio_fixture("chord_44k1_stereo.wav")).size(0), 8000);
  EXPECT_EQ(decode_audio(audio_fixture("short_16k.wav")).size(0), 800);
  const at::Tensor silence = decode_audio(audio_fixture("silence_16k.wav"));
  EXPECT_EQ(silence.size(0), 8000);
  EXPECT_EQ(silence.abs().max().item<float>(), 0.0f);
  DecodeOptions at8k;
  at8k.sample_rate = 8000;
  EXPECT_EQ(decode_audio(audio_fixture("chirp_16k.wav"), at8k).size(0), 12000);
}

TEST(Decode, WavAndFlacGiveTheSameSamples) {
  const at::Tensor wav = decode_audio(audio_fixture("chord_44k1_stereo.wav"));
  const at::Tensor flac = decode_audio(audio_fixture("chord_44k1_stereo.flac"));
  ASSERT_EQ(wav.sizes(), flac.sizes());
  EXPECT_TRUE(at::equal(wav, flac));
}

TEST(Decode, BlockSizeDoesNotChangeTheResult) {
  DecodeOptions small;
  small.block_frames = 1000;  // many blocks through the streaming resampler
  const at::Tensor a = decode_audio(audio_fixture("chord_44k1_stereo.wav"));
  const at::Tensor b = decode_audio(audio_fixture("chord_44k1_stereo.wav"), small);
  ASSERT_EQ(a.sizes(), b.sizes());
  EXPECT_LT((a - b).abs().max().item<float>(), 1e-5f);
}

TEST(Decode, UndecodableFilesNameTheFile) {
  melclass::testing::TempDir dir("decode");
  const std::string text = (dir / "notes.wav").string();
  melclass::testing::write_text(text, "this is not audio at all, just some text\n");
  EXPECT_MELCLASS_ERROR(decode_audio(text), "audio: " + text + ": cannot decode: ");
  EXPECT_MELCLASS_ERROR(probe_audio(text), "audio: " + text + ": cannot decode: ");
  const std::string missing = (dir / "missing.flac").string();
  EXPECT_MELCLASS_ERROR(decode_audio(missing), "audio: " + missing + ": cannot decode: ");
  const std::string empty = (dir / "empty.mp3").string();
  melclass::testing::write_text(empty, "");
  EXPECT_MELCLASS_ERROR(decode_audio(empty), "audio: " + empty + ": cannot decode: ");
}

// Files that decode but hold nothing usable fail with the file's name instead
// of writing an all-zero or NaN spectrogram.
TEST(Decode, EmptyCorruptOrNonFiniteAudioIsRefused) {
  melclass::testing::TempDir dir("decode");
  const MelFrontend frontend{MelOptions{}};
  const std::string empty = (dir / "empty.wav").string();
  write_float_wav(empty, 16000, {});
  EXPECT_MELCLASS_ERROR(audio_file_mel(empty, frontend), "audio: " + empty, "no audio samples");
  const std::string slow = (dir / "one_hertz.wav").string();
  write_float_wav(slow, 1, std::vector<float>(100, 0.1f));
  EXPECT_MELCLASS_ERROR(probe_audio(slow), "audio: " + slow, "implausible sample rate 1 Hz");
  std::vector<float> samples(16000, 0.25f);
  samples[8000] = NAN;
  const std::string nan = (dir / "nan.wav").string();
  write_float_wav(nan, 16000, samples);
  EXPECT_MELCLASS_ERROR(audio_file_mel(nan, frontend), "audio: " + nan, "NaN/Inf values");
  samples[8000] = 0.25f;
  write_float_wav(nan, 16000, samples);
  EXPECT_EQ(audio_file_mel(nan, frontend).size(2), 32);  // 1 + 16000 / 512
}
