#include "melclass/train/calibration.h"

#include <algorithm>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"
#include "melclass/io/json_table.h"

namespace melclass::train {

at::Tensor apply_calibration(const at::Tensor& probs, const Calibration& c) {
  if (c.logit_offset == 0.0 && c.tag_offsets.empty()) return probs;
  const at::Tensor p = probs.clamp(1e-7, 1 - 1e-7);
  at::Tensor z = at::log(p) - at::log1p(-p) + c.logit_offset;
  if (!c.tag_offsets.empty()) {
    check(static_cast<int64_t>(c.tag_offsets.size()) == probs.size(1), "calibration", "",
          "per-tag offsets do not match the number of tags");
    z = z + at::tensor(c.tag_offsets, at::TensorOptions().dtype(at::kDouble)).to(z.scalar_type());
  }
  return at::sigmoid(z);
}

std::vector<std::vector<int64_t>> decide_tags(const at::Tensor& calibrated, int min_tags) {
  const at::Tensor p = calibrated.to(at::kFloat).contiguous();
  const int64_t n = p.size(0), c = p.size(1);
  const float* data = p.data_ptr<float>();
  std::vector<std::vector<int64_t>> out(static_cast<size_t>(n));
  std::vector<int64_t> order(static_cast<size_t>(c));
  for (int64_t i = 0; i < n; ++i) {
    const float* row = data + i * c;
    for (int64_t k = 0; k < c; ++k)
      if (row[k] >= 0.5f) out[i].push_back(k);
    if (static_cast<int>(out[i].size()) >= min_tags) continue;
    for (int64_t k = 0; k < c; ++k) order[k] = k;
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return row[a] > row[b]; });
    out[i].assign(order.begin(), order.begin() + std::min<int64_t>(min_tags, c));
    std::sort(out[i].begin(), out[i].end());
  }
  return out;
}

eval::MetricReport score_probabilities(const at::Tensor& probs,
                                       const std::vector<std::vector<int64_t>>& truth,
                                       const std::vector<std::string>& labels, bool multi_label,
                                       int min_tags) {
  if (multi_label) return eval::score_multi_label(truth, decide_tags(probs, min_tags), labels);
  const at::Tensor best = probs.argmax(1).contiguous();
  std::vector<int64_t> t, p(best.data_ptr<int64_t>(), best.data_ptr<int64_t>() + best.numel());
  for (const auto& row : truth) {
    check(row.size() == 1, "labels", "", "a single-label track needs exactly one true class");
    t.push_back(row[0]);
  }
  return eval::score_single_label(t, p, labels);
}

double micro_f1(const std::vector<std::vector<int64_t>>& decided, const at::Tensor& targets) {
  const at::Tensor t = targets.to(at::kFloat).contiguous();
  const float* y = t.data_ptr<float>();
  const int64_t c = t.size(1);
  double tp = 0, predicted = 0;
  const double actual = t.sum().item<double>();
  for (size_t i = 0; i < decided.size(); ++i)
    for (int64_t k : decided[i]) tp += y[static_cast<int64_t>(i) * c + k] > 0.5f, ++predicted;
  return predicted + actual == 0 ? 0.0 : 2 * tp / (predicted + actual);
}

Calibration fit_calibration(const at::Tensor& probs, const at::Tensor& targets, int min_tags) {
  Calibration best{0.0, min_tags, {}};
  double best_f1 = -1;
  for (int step = -120; step <= 120; ++step) {
    const Calibration c{step * 0.05, min_tags, {}};
    const double f1 = micro_f1(decide_tags(apply_calibration(probs, c), min_tags), targets);
    // Prefer the smallest |offset| among ties (steps are visited from -6 up).
    if (f1 > best_f1 + 1e-12 ||
        (f1 >= best_f1 - 1e-12 && std::abs(c.logit_offset) < std::abs(best.logit_offset)))
      best_f1 = std::max(best_f1, f1), best = c;
  }
  return best;
}

Calibration fit_tag_offsets(const at::Tensor& probs, const at::Tensor& targets,
                            const Calibration& global, int passes, double min_gain) {
  Calibration c = global;
  c.tag_offsets.assign(static_cast<size_t>(probs.size(1)), 0.0);
  auto score = [&](const Calibration& k) {
    return micro_f1(decide_tags(apply_calibration(probs, k), k.min_tags), targets);
  };
  double best = score(c);
  for (int pass = 0; pass < passes; ++pass)
    for (size_t tag = 0; tag < c.tag_offsets.size(); ++tag) {
      const double keep = c.tag_offsets[tag];
      double best_v = keep;
      for (int step = -12; step <= 12; ++step) {
        c.tag_offsets[tag] = step * 0.25;
        const double f1 = score(c);
        if (f1 > best + min_gain) best = f1, best_v = c.tag_offsets[tag];
      }
      c.tag_offsets[tag] = best_v;
    }
  return c;
}

void save_calibration(const std::filesystem::path& path, const Calibration& c) {
  nlohmann::json j = {{"logit_offset", c.logit_offset}, {"min_tags", c.min_tags}};
  if (!c.tag_offsets.empty()) j["tag_offsets"] = c.tag_offsets;
  write_file_atomically(path, [&](std::ostream& out) { out << j.dump(2) << "\n"; });
}

Calibration load_calibration(const std::filesystem::path& path, const Calibration& fallback) {
  if (!std::filesystem::exists(path)) return fallback;
  try {
    const auto j = io::parse_json(read_text_file(path), path.string());
    return Calibration{j.at("logit_offset").get<double>(), j.at("min_tags").get<int>(),
                       j.value("tag_offsets", std::vector<double>{})};
  } catch (const nlohmann::json::exception&) {
    throw Error("run", path.string(), "invalid calibration file");
  }
}

}  // namespace melclass::train
