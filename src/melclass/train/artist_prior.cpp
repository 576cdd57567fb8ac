#include "melclass/train/artist_prior.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"
#include "melclass/train/run_dir.h"

namespace fs = std::filesystem;

namespace melclass::train {

ArtistLabels count_artist_labels(const std::vector<std::string>& groups,
                                 const std::vector<std::vector<int64_t>>& labels,
                                 const std::vector<size_t>& rows, size_t n_classes) {
  check(groups.size() == labels.size(), "train", "", "artist labels: one group per track needed");
  ArtistLabels out;
  out.n_classes = n_classes;
  for (size_t i : rows) {
    if (groups.at(i).rfind("track:", 0) == 0) continue;
    ++out.tracks[groups[i]];
    auto& row = out.counts[groups[i]];
    row.resize(n_classes, 0);
    for (int64_t c : labels.at(i)) ++row.at(static_cast<size_t>(c));
  }
  return out;
}

void save_artist_labels(const fs::path& file, const ArtistLabels& labels) {
  nlohmann::json j = {{"tracks", labels.tracks}, {"counts", labels.counts}};
  write_file_atomically(file, [&](std::ostream& s) { s << j.dump() << "\n"; });
}

ArtistLabels load_artist_labels(const fs::path& file, size_t n_classes) {
  const nlohmann::json j = read_run_json(file);
  check(j.is_object() && j.contains("tracks") && j.contains("counts") && j["tracks"].is_object() &&
            j["counts"].is_object() && j["tracks"].size() == j["counts"].size(),
        "run", file.string(), "artist labels: expected {\"tracks\": {...}, \"counts\": {...}}");
  ArtistLabels out;
  out.n_classes = n_classes;
  for (const auto& [key, row] : j["counts"].items()) {
    const auto n = j["tracks"].find(key);
    check(n != j["tracks"].end() && n->is_number_integer() && n->get<int64_t>() > 0, "run",
          file.string(), "artist labels: '" + key + "' needs a positive track count");
    check(row.is_array() && row.size() == n_classes, "run", file.string(),
          "artist labels: '" + key + "' needs one count per class");
    for (const auto& v : row)
      check(v.is_number_integer() && v.get<int64_t>() >= 0 && v.get<int64_t>() <= n->get<int64_t>(),
            "run", file.string(), "artist labels: counts must be in [0, the artist's tracks]");
    out.tracks[key] = n->get<int64_t>();
    out.counts[key] = row.get<std::vector<int64_t>>();
  }
  return out;
}

at::Tensor apply_artist_prior(const at::Tensor& probs, const std::vector<std::string>& groups,
                              const ArtistLabels& labels, double weight) {
  check(probs.dim() == 2 && probs.size(0) == static_cast<int64_t>(groups.size()), "predict", "",
        "artist prior: one group per track needed");
  check(weight >= 0, "predict", "", "artist_prior must be >= 0");
  if (weight == 0 || labels.counts.empty()) return probs;
  check(probs.size(1) == static_cast<int64_t>(labels.n_classes), "predict", "",
        "artist prior: class count differs from the run's artist labels");
  at::Tensor logp = probs.to(at::kDouble).clamp_min(1e-12).log();
  const double n_classes = static_cast<double>(labels.n_classes);
  for (size_t i = 0; i < groups.size(); ++i) {
    const auto it = labels.counts.find(groups[i]);
    if (it == labels.counts.end()) continue;
    const at::Tensor counts = at::tensor(it->second, at::kLong).to(at::kDouble);
    const double n = static_cast<double>(labels.tracks.at(groups[i]));
    const at::Tensor prior = (counts + 1) / (n + n_classes);  // Laplace
    logp[static_cast<int64_t>(i)] += weight * prior.log();
  }
  return logp.softmax(1).to(probs.scalar_type());
}

at::Tensor mix_artist_tags(const at::Tensor& probs, const std::vector<std::string>& groups,
                           const ArtistLabels& labels, double weight) {
  check(probs.dim() == 2 && probs.size(0) == static_cast<int64_t>(groups.size()), "predict", "",
        "artist tags: one group per track needed");
  check(weight >= 0 && weight <= 1, "predict", "", "artist_tag_mix must be in [0, 1]");
  if (weight == 0 || labels.counts.empty()) return probs;
  check(probs.size(1) == static_cast<int64_t>(labels.n_classes), "predict", "",
        "artist tags: tag count differs from the run's artist labels");
  at::Tensor q = probs.to(at::kDouble).clone();
  for (size_t i = 0; i < groups.size(); ++i) {
    const auto it = labels.counts.find(groups[i]);
    if (it == labels.counts.end()) continue;
    const double n = static_cast<double>(labels.tracks.at(groups[i]));
    const at::Tensor share = at::tensor(it->second, at::kLong).to(at::kDouble) / n;
    q[static_cast<int64_t>(i)].mul_(1 - weight).add_(share * weight);
  }
  return q.to(probs.scalar_type());
}

at::Tensor apply_artist_prior_for_task(const at::Tensor& probs,
                                       const std::vector<std::string>& groups,
                                       const ArtistLabels& labels, bool multi_label, double prior,
                                       double tag_mix) {
  return multi_label ? mix_artist_tags(probs, groups, labels, tag_mix)
                     : apply_artist_prior(probs, groups, labels, prior);
}

}  // namespace melclass::train
