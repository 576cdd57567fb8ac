#include "melclass/data/normalization.h"

#include <algorithm>
#include <cmath>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"
#include "melclass/io/json_table.h"

namespace melclass::data {

BandStatsAccumulator::BandStatsAccumulator(int64_t n_mels)
    : n_mels_(n_mels), mean_(static_cast<size_t>(n_mels)), m2_(static_cast<size_t>(n_mels)) {
  check(n_mels > 0, "normalization", "", "n_mels must be positive");
}

void BandStatsAccumulator::add(const at::Tensor& x) {
  check(x.dim() == 2 && x.size(0) == n_mels_, "normalization", "", "expected [n_mels, T] input");
  const int64_t n = x.size(1);
  if (n == 0) return;
  const at::Tensor xd = x.to(at::kDouble);
  const at::Tensor mean = xd.mean(1).contiguous();
  const at::Tensor m2 = (xd - mean.unsqueeze(1)).pow(2).sum(1).contiguous();
  const double* bm = mean.data_ptr<double>();
  const double* b2 = m2.data_ptr<double>();
  // Chan, Golub & LeVeque (1979): merge (count_, mean_, m2_) with (n, bm, b2).
  const double na = static_cast<double>(count_), nb = static_cast<double>(n), nt = na + nb;
  for (size_t f = 0; f < mean_.size(); ++f) {
    const double delta = bm[f] - mean_[f];
    mean_[f] += delta * nb / nt;
    m2_[f] += b2[f] + delta * delta * na * nb / nt;
  }
  count_ += n;
}

BandStats BandStatsAccumulator::finish() const {
  check(count_ > 0, "normalization", "", "no frames to fit band statistics on");
  BandStats s;
  s.mean = mean_;
  for (double m2 : m2_)
    s.std.push_back(std::max(1e-5, std::sqrt(m2 / static_cast<double>(count_))));
  return s;
}

at::Tensor standardize(const at::Tensor& x, const BandStats& stats) {
  if (stats.empty()) return x;
  check(x.dim() == 2 && x.size(0) == static_cast<int64_t>(stats.mean.size()), "normalization", "",
        "band statistics do not match the input's bands");
  const auto opts = at::TensorOptions().dtype(at::kDouble);
  const at::Tensor mean = at::tensor(stats.mean, opts).to(x.scalar_type()).unsqueeze(1);
  const at::Tensor std = at::tensor(stats.std, opts).to(x.scalar_type()).unsqueeze(1);
  return (x - mean) / std;
}

void save_band_stats(const std::filesystem::path& path, const BandStats& stats) {
  const nlohmann::json j = {{"mean", stats.mean}, {"std", stats.std}};
  write_file_atomically(path, [&](std::ostream& out) { out << j.dump() << "\n"; });
}

BandStats load_band_stats(const std::filesystem::path& path, int64_t n_mels) {
  BandStats s;
  try {
    const auto j = io::parse_json(read_text_file(path), path.string());
    s.mean = j.at("mean").get<std::vector<double>>();
    s.std = j.at("std").get<std::vector<double>>();
  } catch (const nlohmann::json::exception&) {
    throw Error("run", path.string(), "invalid band statistics file");
  }
  check(
      static_cast<int64_t>(s.mean.size()) == n_mels && static_cast<int64_t>(s.std.size()) == n_mels,
      "run", path.string(), "band statistics for another number of mel bands");
  for (double v : s.std) check(v > 0 && std::isfinite(v), "run", path.string(), "invalid std");
  return s;
}

}  // namespace melclass::data
