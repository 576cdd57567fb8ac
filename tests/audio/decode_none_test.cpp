// audio decoding in a build without libsndfile/libsoxr (MELCLASS_AUDIO_DECODE=OFF):
// every entry point names the file and the reason; the pure helpers still work.

#include <gtest/gtest.h>

#include "core/testing.h"
#include "melclass/audio/decode.h"

using namespace melclass::audio;

TEST(DecodeNone, EveryReadNamesTheFileAndTheBuildOption) {
  EXPECT_FALSE(audio_decoding_available());
  EXPECT_MELCLASS_ERROR(probe_audio("song.flac"), "audio: ", "song.flac",
                        "MELCLASS_AUDIO_DECODE=OFF");
  EXPECT_MELCLASS_ERROR(decode_audio("song.wav"), "audio: ", "song.wav", "without audio decoding");
  EXPECT_TRUE(is_audio_path("song.MP3"));
  EXPECT_EQ(resampled_length(176400, 44100, 16000), 64000);
}
