#pragma once
// Scores a prediction file (the competition's infer() output: a JSON list in
// the data_idx order of q{1,2,3}_test.json) against ROOT/test/test_label.

#include <filesystem>
#include <optional>

#include "melclass/data/task.h"
#include "melclass/eval/metrics.h"

namespace melclass::eval {

struct EvaluateOptions {
  std::filesystem::path predictions;  ///< JSON list: label strings, or lists of tags
  std::filesystem::path root;         ///< dataset root holding test/test_label
  std::optional<data::Task> task;     ///< detected from test/test_label otherwise
};

/// Throws Error("evaluate", file, ...) when the prediction file is malformed,
/// has the wrong length or a label outside train and test labels. Test labels
/// that train/train_label never contains are scored (as misses) and listed in
/// MetricReport::unseen_in_training.
MetricReport evaluate_predictions(const EvaluateOptions& options);

}  // namespace melclass::eval
