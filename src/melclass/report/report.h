#pragma once
// An HTML report of a run or cv folder, one self-contained file (inline SVG,
// no scripts): what was trained (config, summary), how training went
// (learning curves from metrics.jsonl), and how well it does:
//   - a cv folder: per-fold metrics, and with `data` the out-of-fold
//     confusion matrix and per-class scores over every training track;
//   - `predictions` + `data`: predict's output scored against
//     ROOT/test/test_label, as `melclass evaluate` does.

#include <filesystem>

namespace melclass::report {

struct ReportOptions {
  std::filesystem::path run;          ///< run folder (train) or cv folder (cv)
  std::filesystem::path data;         ///< dataset root: truth for the scores below (optional)
  std::filesystem::path predictions;  ///< predict's JSON, scored against `data` (optional)
  std::filesystem::path out;          ///< HTML file; default RUN/report.html
};

/// Writes the report (atomically) and returns its path. Throws
/// Error("report", path, ...) when `run` is neither a run nor a cv folder,
/// when `predictions` is given without `data`, and the run, dataset and
/// evaluate errors of the files it reads.
std::filesystem::path write_report(const ReportOptions& options);

}  // namespace melclass::report
