#pragma once
// Task metrics: top-1 accuracy (station, genre) and micro-F1 at 0.5 (mood),
// plus macro-F1, per-class precision/recall/F1 and a confusion matrix.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace melclass::eval {

struct ClassScore {
  std::string label;
  double precision = 0, recall = 0, f1 = 0;
  int64_t support = 0;    ///< true occurrences
  int64_t predicted = 0;  ///< predicted occurrences
};

struct MetricReport {
  std::string metric_name;  ///< "accuracy" or "micro_f1": the task metric
  double metric = 0;
  double accuracy = 0;  ///< single-label: top-1; multi-label: exact-set match
  double micro_f1 = 0;
  double macro_f1 = 0;  ///< mean F1 over classes present in truth or prediction
  int64_t tracks = 0;
  std::vector<ClassScore> per_class;
  std::vector<std::vector<int64_t>> confusion;  ///< single-label: [truth][pred]
  /// Test labels train/train_label never holds: a model cannot predict them,
  /// so every one of them counts as a miss (evaluate fills this in).
  std::vector<std::string> unseen_in_training;
};

/// truth/pred: class indices in [0, labels.size()).
MetricReport score_single_label(const std::vector<int64_t>& truth, const std::vector<int64_t>& pred,
                                const std::vector<std::string>& labels);

/// truth/pred: sets of class indices per track.
MetricReport score_multi_label(const std::vector<std::vector<int64_t>>& truth,
                               const std::vector<std::vector<int64_t>>& pred,
                               const std::vector<std::string>& labels);

nlohmann::json to_json(const MetricReport& report);
/// Human-readable multi-line summary (metric, macro-F1, per-class table).
std::string format_report(const MetricReport& report);

}  // namespace melclass::eval
