#include "melclass/train/classic_fit.h"

#include <torch/types.h>

#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"
#include "melclass/core/parallel.h"
#include "melclass/data/spectrogram.h"
#include "melclass/train/run_dir.h"

namespace fs = std::filesystem;

namespace melclass::train {

bool fits_classic(const TrainConfig& config, bool multi_label) {
  return config.recipe.classic_blend > 0 && uses_audio(config) && !multi_label;
}

void fit_classic_expert(const fs::path& file, const std::vector<TrackSource>& sources,
                        const std::vector<size_t>& idx, const std::vector<int64_t>& labels,
                        int64_t n_classes, int64_t n_mels, double c, int workers) {
  check(idx.size() == labels.size(), "train", file.string(), "classic: one label per track needed");
  std::vector<at::Tensor> features(idx.size());
  ParallelOptions po;
  po.workers = workers;  // parallel_for_each uses at most one per track
  parallel_for_each(idx.size(), po, [&](size_t k) {
    features[k] = models::classic_features(data::load_spectrogram(sources[idx[k]].file, n_mels));
  });
  models::ClassicLinearOptions o;
  o.c = c;
  const models::ClassicLinear m = models::fit_classic_linear(
      torch::stack(features), torch::tensor(labels, torch::kLong), n_classes, o);
  write_file_atomically(file, [&](std::ostream& s) { s << m.to_json().dump() << "\n"; });
}

models::ClassicLinear load_classic(const fs::path& file) {
  return models::ClassicLinear::from_json(read_run_json(file), file.string());
}

}  // namespace melclass::train
