#pragma once
// Inline SVG charts for the HTML report: plain text, no scripts, no external
// files, so a report opens in any browser and can be mailed as one file.

#include <cstdint>
#include <string>
#include <vector>

namespace melclass::report {

/// One line of a chart; NaN y values are gaps (epochs without validation).
struct Series {
  std::string name;
  std::vector<double> x, y;
};

struct ChartOptions {
  std::string title;
  std::string x_label = "epoch";
  std::string y_label;
  int width = 560, height = 300;
  bool log_y = false;  ///< base-10 axis (learning rates); values <= 0 are gaps
};

/// Options for a chart over epochs titled `title`, its y axis named `y_label`.
ChartOptions epoch_chart(const std::string& title, const std::string& y_label, bool log_y = false);

/// A line chart with axes, five ticks per axis and a legend; an empty string
/// when no series has a finite point. Throws Error("report", ...) when a
/// series' x and y differ in length.
std::string line_chart(const std::vector<Series>& series, const ChartOptions& options);

/// A confusion matrix [truth][prediction] as a grid of cells shaded by the
/// share of their row, with counts; row and column labels around it.
std::string confusion_heatmap(const std::vector<std::vector<int64_t>>& confusion,
                              const std::vector<std::string>& labels);

/// Horizontal bars for `values` in [0, 1] (per-fold metrics, per-class F1).
std::string bar_chart(const std::vector<std::string>& labels, const std::vector<double>& values,
                      const std::string& title);

/// Text with &, <, >, " and ' replaced by entities, for HTML and SVG.
std::string escape(const std::string& text);

/// A number with `digits` significant digits ("0.6882", "0.002"); an en dash
/// entity ("&#8211;") for NaN and infinities.
std::string format_number(double value, int digits = 4);

}  // namespace melclass::report
