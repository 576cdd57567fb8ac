#pragma once
// Audio decoding: WAV, FLAC, OGG/Vorbis/Opus and MP3 (whatever the system's
// libsndfile reads; Debian 12's build reads MP3 through mpg123), downmixed to
// mono (mean of the channels) and resampled with libsoxr (SOXR_HQ, linear
// phase) to the target rate. Decoding streams block by block, so memory stays
// bounded whatever the file's length.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include <ATen/core/Tensor.h>

namespace melclass::audio {

/// False in a build without libsndfile/libsoxr (MELCLASS_AUDIO_DECODE=OFF):
/// probe_audio and decode_audio then throw Error("audio", path, ...).
bool audio_decoding_available();

/// What a file's header says, before any decoding.
struct AudioInfo {
  int64_t sample_rate = 0;
  int64_t channels = 0;
  int64_t frames = 0;  ///< per channel; approximate for some MP3 files
  double seconds() const { return sample_rate > 0 ? double(frames) / sample_rate : 0.0; }
};

struct DecodeOptions {
  int64_t sample_rate = 16000;   ///< output rate, Hz
  int64_t block_frames = 65536;  ///< input frames decoded per block
};

/// Throws Error("audio", "", ...) for a non-positive rate or block size.
void validate(const DecodeOptions& options);

/// True when the extension (case-insensitive) is one `extract` collects from
/// folders: .wav .flac .ogg .oga .mp3.
bool is_audio_path(const std::filesystem::path& path);

/// Sample rates a file header may declare; outside them the header is corrupt.
constexpr int64_t kMinSampleRate = 1000, kMaxSampleRate = 1000000;

/// Opens the file and reads its header. Throws
/// Error("audio", path, "cannot decode: <libsndfile's reason>"), also for a
/// sample rate outside [kMinSampleRate, kMaxSampleRate].
AudioInfo probe_audio(const std::filesystem::path& path);

/// Number of output samples decode_audio delivers for `input_frames` input
/// frames at `input_rate`: round(input_frames * output_rate / input_rate).
int64_t resampled_length(int64_t input_frames, int64_t input_rate, int64_t output_rate);

/// Receives consecutive mono blocks at options.sample_rate.
using SampleSink = std::function<void(const float* samples, int64_t count)>;

/// Streams the whole file through `sink`: decode, downmix, resample. The total
/// count delivered is exactly resampled_length(frames read, file rate, rate).
/// Throws Error("audio", path, "cannot decode: ...") when the file cannot be
/// opened or a read fails.
void decode_audio(const std::filesystem::path& path, const DecodeOptions& options,
                  const SampleSink& sink);

/// Convenience: the whole file as a mono float32 tensor [N] at options.sample_rate.
at::Tensor decode_audio(const std::filesystem::path& path, const DecodeOptions& options = {});

}  // namespace melclass::audio
