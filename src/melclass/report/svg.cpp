#include "melclass/report/svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "melclass/core/error.h"
#include "melclass/text/unicode.h"

namespace melclass::report {
namespace {

constexpr const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                    "#9467bd", "#8c564b", "#e377c2", "#17becf"};
constexpr int kLeft = 76, kRight = 16, kTop = 28, kBottom = 44;

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) { lo = std::min(lo, v), hi = std::max(hi, v); }
  bool empty() const { return !(lo <= hi); }
  void pad() {  // a flat line gets a visible band around it
    if (hi - lo < 1e-12)
      lo -= 0.5 * std::max(1e-12, std::abs(lo)), hi += 0.5 * std::max(1e-12, std::abs(hi));
  }
};

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// The first `n` characters (code points, not bytes: labels are Hangul, kana,
// kanji too) of `label`, escaped for SVG.
std::string short_label(const std::string& label, size_t n) {
  const std::u32string chars = text::decode_utf8(label);
  return escape(chars.size() <= n ? label : text::encode_utf8(chars.substr(0, n)));
}

// <text> at (x, y) holding `body` (already escaped), with extra attributes.
std::string text(double x, double y, const std::string& body, const std::string& attrs = "") {
  return "<text x='" + num(x) + "' y='" + num(y) + "'" + (attrs.empty() ? "" : " " + attrs) + ">" +
         body + "</text>";
}

// The opening <svg> of a width × height chart, with its bold title at (x, y).
std::string open_svg(int width, int height, double x, double y, const std::string& title) {
  return "<svg xmlns='http://www.w3.org/2000/svg' width='" + std::to_string(width) + "' height='" +
         std::to_string(height) + "' font-size='11'>" +
         text(x, y, escape(title), "font-weight='bold'");
}

double axis_value(double y, bool log_y) { return log_y ? std::log10(y) : y; }

bool usable(double x, double y, bool log_y) {
  return std::isfinite(x) && std::isfinite(y) && (!log_y || y > 0);
}

// Tick positions in axis units: multiples of 1, 2 or 5 × 10^k (about five),
// or the powers of ten on a log axis that spans at least two of them.
std::vector<double> ticks(const Range& r, bool log_axis) {
  std::vector<double> out;
  if (log_axis && std::floor(r.hi) - std::ceil(r.lo) >= 1) {
    for (double e = std::ceil(r.lo); e <= r.hi + 1e-9; e += 1) out.push_back(e);
    return out;
  }
  const double raw = (r.hi - r.lo) / 4, mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag, step = (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
  for (double v = std::ceil(r.lo / step - 1e-9) * step; v <= r.hi + step * 1e-9; v += step)
    out.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  return out;
}

// Axes, ticks and labels of a plot area mapping `xr` × `yr`.
std::string axes(const ChartOptions& o, const Range& xr, const Range& yr) {
  const int w = o.width - kLeft - kRight, h = o.height - kTop - kBottom;
  std::string s = "<rect x='" + std::to_string(kLeft) + "' y='" + std::to_string(kTop) +
                  "' width='" + std::to_string(w) + "' height='" + std::to_string(h) +
                  "' fill='none' stroke='#999'/>";
  for (double fy : ticks(yr, o.log_y)) {
    const double py = kTop + h - h * (fy - yr.lo) / (yr.hi - yr.lo);
    s += "<line x1='" + num(kLeft) + "' x2='" + num(kLeft + w) + "' y1='" + num(py) + "' y2='" +
         num(py) + "' stroke='#eee'/>";
    s += text(kLeft - 6, py + 4, format_number(o.log_y ? std::pow(10.0, fy) : fy, 3),
              "text-anchor='end'");
  }
  for (double fx : ticks(xr, false)) {
    const double px = kLeft + w * (fx - xr.lo) / (xr.hi - xr.lo);
    s += text(px, kTop + h + 16, format_number(fx, 3), "text-anchor='middle'");
  }
  s += text(kLeft + w / 2.0, o.height - 8, escape(o.x_label), "text-anchor='middle'");
  s += text(12, kTop + h / 2.0, escape(o.y_label),
            "text-anchor='middle' transform='rotate(-90 12 " + num(kTop + h / 2.0) + ")'");
  return s;
}

// One series as polylines (broken at gaps) plus its legend entry.
std::string polyline(const Series& s, size_t index, const ChartOptions& o, const Range& xr,
                     const Range& yr) {
  const int w = o.width - kLeft - kRight, h = o.height - kTop - kBottom;
  const std::string color = kPalette[index % (sizeof kPalette / sizeof *kPalette)];
  std::string out, points;
  auto flush = [&] {
    if (!points.empty())
      out += "<polyline fill='none' stroke='" + color + "' stroke-width='1.6' points='" + points +
             "'/>";
    points.clear();
  };
  for (size_t i = 0; i < s.x.size(); ++i) {
    if (!usable(s.x[i], s.y[i], o.log_y)) {
      flush();
      continue;
    }
    const double px = kLeft + w * (s.x[i] - xr.lo) / (xr.hi - xr.lo);
    const double py = kTop + h - h * (axis_value(s.y[i], o.log_y) - yr.lo) / (yr.hi - yr.lo);
    points += num(px) + "," + num(py) + " ";
  }
  flush();
  const double ly = kTop + 14 + 16.0 * index;
  out += "<line x1='" + num(kLeft + w - 120) + "' x2='" + num(kLeft + w - 100) + "' y1='" +
         num(ly - 4) + "' y2='" + num(ly - 4) + "' stroke='" + color + "' stroke-width='2'/>";
  out += text(kLeft + w - 96, ly, escape(s.name));
  return out;
}

}  // namespace

ChartOptions epoch_chart(const std::string& title, const std::string& y_label, bool log_y) {
  ChartOptions o;
  o.title = title, o.y_label = y_label, o.log_y = log_y;
  return o;
}

std::string line_chart(const std::vector<Series>& series, const ChartOptions& o) {
  Range xr, yr;
  for (const auto& s : series) {
    check(s.x.size() == s.y.size(), "report", s.name, "chart series has unequal x and y lengths");
    for (size_t i = 0; i < s.x.size(); ++i)
      if (usable(s.x[i], s.y[i], o.log_y)) xr.add(s.x[i]), yr.add(axis_value(s.y[i], o.log_y));
  }
  if (xr.empty()) return "";
  xr.pad(), yr.pad();
  std::string svg = open_svg(o.width, o.height, kLeft, 16, o.title) + axes(o, xr, yr);
  for (size_t i = 0; i < series.size(); ++i) svg += polyline(series[i], i, o, xr, yr);
  return svg + "</svg>";
}

std::string confusion_heatmap(const std::vector<std::vector<int64_t>>& m,
                              const std::vector<std::string>& labels) {
  const int n = static_cast<int>(labels.size()), cell = 44, left = 150, top = 40;
  check(m.size() == labels.size(), "report", "", "confusion matrix and labels differ in size");
  std::string svg = open_svg(std::max(left + n * cell + 20, 400), top + n * cell + 40, left, 14,
                             "rows: truth, columns: prediction");
  for (int r = 0; r < n; ++r) {
    int64_t row_sum = 0;
    for (int64_t v : m[r]) row_sum += v;
    svg += text(left - 6, top + r * cell + cell / 2.0 + 4, short_label(labels[r], 24),
                "text-anchor='end'");
    for (int c = 0; c < n; ++c) {
      const double share = row_sum ? static_cast<double>(m[r].at(c)) / row_sum : 0.0;
      const int shade = static_cast<int>(std::lround(255 - 200 * share));
      const std::string fill =
          "rgb(" + std::to_string(shade) + "," + std::to_string(shade) + ",255)";
      svg += "<rect x='" + num(left + c * cell) + "' y='" + num(top + r * cell) + "' width='" +
             num(cell - 1) + "' height='" + num(cell - 1) + "' fill='" + fill + "'/>";
      svg += text(left + c * cell + cell / 2.0, top + r * cell + cell / 2.0 + 4,
                  std::to_string(m[r][c]),
                  std::string("text-anchor='middle'") + (share > 0.6 ? " fill='white'" : ""));
    }
  }
  for (int c = 0; c < n; ++c)
    svg += text(left + c * cell + cell / 2.0, top + n * cell + 14, short_label(labels[c], 6),
                "text-anchor='middle'");
  return svg + "</svg>";
}

std::string bar_chart(const std::vector<std::string>& labels, const std::vector<double>& values,
                      const std::string& title) {
  check(labels.size() == values.size(), "report", title, "bar labels and values differ in size");
  const int bar = 18, left = 150, width = 300, top = 26;
  std::string svg = open_svg(left + width + 70, top + bar * static_cast<int>(labels.size()) + 10,
                             left, 14, title);
  for (size_t i = 0; i < labels.size(); ++i) {
    const double v = std::isfinite(values[i]) ? std::clamp(values[i], 0.0, 1.0) : 0.0;
    const double y = top + bar * static_cast<double>(i);
    svg += text(left - 6, y + 13, short_label(labels[i], 24), "text-anchor='end'");
    svg += "<rect x='" + num(left) + "' y='" + num(y + 2) + "' width='" + num(width * v) +
           "' height='" + num(bar - 4) + "' fill='#1f77b4'/>";
    svg += text(left + width * v + 4, y + 13, format_number(values[i], 3));
  }
  return svg + "</svg>";
}

std::string escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

std::string format_number(double value, int digits) {
  if (!std::isfinite(value)) return "&#8211;";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*g", digits, value);
  return buf;
}

}  // namespace melclass::report
