#pragma once
// Training on audio files without decoding them at every epoch: each audio
// source is decoded and turned into its mel spectrogram once, written as .npy
// under a cache folder, and the sources point to those copies for the rest of
// training. Memory stays bounded (one track per worker at a time).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "melclass/train/scoring.h"

namespace melclass::train {

class MelCache {
 public:
  /// Converts every source whose file is an audio file (audio::is_audio_path)
  /// with data::load_spectrogram (same mels, same checks) on `workers` threads
  /// into dir/<index>.npy and points the source there. Sources that already
  /// are .npy are left alone; without audio sources nothing is created. On an
  /// error (naming the audio file) the folder is removed and the error rethrown.
  MelCache(std::vector<TrackSource>& sources, std::filesystem::path dir, int64_t n_mels,
           int workers);
  /// Removes the cache folder.
  ~MelCache();
  MelCache(const MelCache&) = delete;
  MelCache& operator=(const MelCache&) = delete;

  /// Number of audio files converted.
  size_t cached() const { return cached_; }

 private:
  std::filesystem::path dir_;
  size_t cached_ = 0;
};

}  // namespace melclass::train
