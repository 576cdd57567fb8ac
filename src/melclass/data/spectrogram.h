#pragma once
// Loading one track's mel spectrogram and shaping it into model input.

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>

#include <ATen/core/Tensor.h>

namespace melclass::data {

constexpr int64_t kMelBands = 128;

/// Largest value a power mel spectrogram may hold (see load_spectrogram).
constexpr double kMaxMelValue = 1e30;

/// Reads a [1, n_mels, T] or [n_mels, T] .npy and returns [n_mels, T] float32.
/// Throws Error("spectrogram", path, ...) for a wrong shape, T == 0, NaN/Inf,
/// negative or absurdly large (> kMaxMelValue) power values. An audio file (audio::is_audio_path:
/// .wav .flac .ogg .oga .mp3) is decoded and converted with the default audio::MelOptions (16 kHz,
/// n_fft 1024, hop 512, n_mels bands); Error("audio", path, ...) when it cannot be decoded.
at::Tensor load_spectrogram(const std::filesystem::path& path, int64_t n_mels = kMelBands);

/// Checks a spectrogram file's header only (magic, dtype, shape, size) and
/// returns its frame count T, without reading the data. Same errors as
/// load_spectrogram for everything but the values. For an audio file: opens it
/// and estimates T from its header (exact for WAV/FLAC/OGG, MP3 headers may be
/// off by a few frames).
int64_t check_spectrogram_header(const std::filesystem::path& path, int64_t n_mels = kMelBands);

/// Log compressions of power mel: "log10_1p10" = log10(1 + 10 x) (the kit's),
/// "db" = 10 log10(max(x, 1e-10)), "none".
at::Tensor compress(const at::Tensor& mel, const std::string& kind);
void validate_compression(const std::string& kind);

/// How to turn [F, T] into [F, length].
enum class CropMode {
  kHead,    ///< first `length` frames (the kit's baseline)
  kRandom,  ///< uniformly random offset (training)
  kCenter,  ///< centred window
};

/// Crops x [F, T] to [F, length]; tracks shorter than `length` are zero-padded at
/// the end (zero power = silence, so padding reads as trailing silence).
at::Tensor crop_or_pad(const at::Tensor& x, int64_t length, CropMode mode, std::mt19937_64& rng);

}  // namespace melclass::data
