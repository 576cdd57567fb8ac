#include "melclass/train/mel_cache.h"

#include <string>
#include <system_error>

#include <ATen/ATen.h>

#include "melclass/audio/decode.h"
#include "melclass/core/parallel.h"
#include "melclass/data/spectrogram.h"
#include "melclass/io/npy.h"

namespace fs = std::filesystem;

namespace melclass::train {

MelCache::MelCache(std::vector<TrackSource>& sources, fs::path dir, int64_t n_mels, int workers)
    : dir_(std::move(dir)) {
  std::vector<size_t> audio;
  for (size_t i = 0; i < sources.size(); ++i)
    if (!sources[i].file.empty() && audio::is_audio_path(sources[i].file)) audio.push_back(i);
  if (audio.empty()) return;
  std::vector<fs::path> cached(audio.size());
  try {
    fs::create_directories(dir_);
    ParallelOptions po;
    po.workers = workers;
    parallel_for_each(audio.size(), po, [&](size_t k) {
      const at::Tensor mel = data::load_spectrogram(sources[audio[k]].file, n_mels);  // [F, T]
      cached[k] = dir_ / (std::to_string(audio[k]) + ".npy");
      io::write_npy(cached[k], mel);
    });
  } catch (...) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    throw;
  }
  for (size_t k = 0; k < audio.size(); ++k) sources[audio[k]].file = cached[k];
  cached_ = audio.size();
}

MelCache::~MelCache() {
  if (cached_ == 0) return;
  std::error_code ec;  // best effort: a destructor must not throw
  fs::remove_all(dir_, ec);
}

}  // namespace melclass::train
