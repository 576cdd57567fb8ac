#pragma once
// Per-band standardisation of compressed mel input: mean and standard
// deviation of every mel band over all frames of the training tracks, fitted
// once per run and stored in it (input_norm.json), applied before cropping.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

namespace melclass::data {

struct BandStats {
  std::vector<double> mean;  ///< [F]
  std::vector<double> std;   ///< [F], floored at 1e-5
  bool empty() const { return mean.empty(); }
};

/// Streaming per-band statistics (Chan et al. 1979 pairwise update in double
/// precision, so one pass over any number of tracks is exact enough).
class BandStatsAccumulator {
 public:
  explicit BandStatsAccumulator(int64_t n_mels);
  /// x: [F, T] compressed mel of one track.
  void add(const at::Tensor& x);
  BandStats finish() const;
  int64_t frames() const { return count_; }

 private:
  int64_t n_mels_;
  int64_t count_ = 0;
  std::vector<double> mean_, m2_;
};

/// x [F, T] -> (x - mean[f]) / std[f]; x unchanged when `stats` is empty.
at::Tensor standardize(const at::Tensor& x, const BandStats& stats);

/// {"mean": [...], "std": [...]} written atomically.
void save_band_stats(const std::filesystem::path& path, const BandStats& stats);
/// Reads save_band_stats' file; throws Error("run", path, ...) when malformed or
/// when it has another number of bands than `n_mels`.
BandStats load_band_stats(const std::filesystem::path& path, int64_t n_mels);

}  // namespace melclass::data
