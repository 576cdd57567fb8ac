#include "melclass/eval/metrics.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "melclass/core/error.h"

namespace melclass::eval {
namespace {

double f1_of(int64_t tp, int64_t fp, int64_t fn) {
  const int64_t denom = 2 * tp + fp + fn;
  return denom == 0 ? 0.0 : 2.0 * static_cast<double>(tp) / static_cast<double>(denom);
}

// Fills per-class scores and macro/micro F1 from per-class counts.
void finish(MetricReport& r, const std::vector<std::string>& labels, const std::vector<int64_t>& tp,
            const std::vector<int64_t>& fp, const std::vector<int64_t>& fn) {
  int64_t all_tp = 0, all_fp = 0, all_fn = 0;
  double macro = 0;
  int counted = 0;
  for (size_t c = 0; c < labels.size(); ++c) {
    ClassScore s;
    s.label = labels[c];
    s.support = tp[c] + fn[c];
    s.predicted = tp[c] + fp[c];
    s.precision = s.predicted ? static_cast<double>(tp[c]) / s.predicted : 0.0;
    s.recall = s.support ? static_cast<double>(tp[c]) / s.support : 0.0;
    s.f1 = f1_of(tp[c], fp[c], fn[c]);
    if (s.support || s.predicted) macro += s.f1, ++counted;
    all_tp += tp[c], all_fp += fp[c], all_fn += fn[c];
    r.per_class.push_back(s);
  }
  r.macro_f1 = counted ? macro / counted : 0.0;
  r.micro_f1 = f1_of(all_tp, all_fp, all_fn);
}

void check_index(int64_t i, size_t n) {
  check(i >= 0 && static_cast<size_t>(i) < n, "metrics", "", "class index out of range");
}

}  // namespace

MetricReport score_single_label(const std::vector<int64_t>& truth, const std::vector<int64_t>& pred,
                                const std::vector<std::string>& labels) {
  check(truth.size() == pred.size(), "metrics", "", "truth and prediction counts differ");
  const size_t n = labels.size();
  MetricReport r;
  r.metric_name = "accuracy";
  r.tracks = static_cast<int64_t>(truth.size());
  r.confusion.assign(n, std::vector<int64_t>(n, 0));
  std::vector<int64_t> tp(n, 0), fp(n, 0), fn(n, 0);
  int64_t correct = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    check_index(truth[i], n);
    check_index(pred[i], n);
    ++r.confusion[truth[i]][pred[i]];
    if (truth[i] == pred[i]) {
      ++correct, ++tp[truth[i]];
    } else {
      ++fn[truth[i]], ++fp[pred[i]];
    }
  }
  r.accuracy = truth.empty() ? 0.0 : static_cast<double>(correct) / truth.size();
  finish(r, labels, tp, fp, fn);
  r.metric = r.accuracy;
  return r;
}

MetricReport score_multi_label(const std::vector<std::vector<int64_t>>& truth,
                               const std::vector<std::vector<int64_t>>& pred,
                               const std::vector<std::string>& labels) {
  check(truth.size() == pred.size(), "metrics", "", "truth and prediction counts differ");
  const size_t n = labels.size();
  MetricReport r;
  r.metric_name = "micro_f1";
  r.tracks = static_cast<int64_t>(truth.size());
  std::vector<int64_t> tp(n, 0), fp(n, 0), fn(n, 0);
  int64_t exact = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    const std::set<int64_t> t(truth[i].begin(), truth[i].end());
    const std::set<int64_t> p(pred[i].begin(), pred[i].end());
    for (int64_t c : t) check_index(c, n), ++(p.count(c) ? tp[c] : fn[c]);
    for (int64_t c : p) check_index(c, n), fp[c] += t.count(c) ? 0 : 1;
    exact += t == p ? 1 : 0;
  }
  r.accuracy = truth.empty() ? 0.0 : static_cast<double>(exact) / truth.size();
  finish(r, labels, tp, fp, fn);
  r.metric = r.micro_f1;
  return r;
}

nlohmann::json to_json(const MetricReport& r) {
  nlohmann::json per_class = nlohmann::json::array();
  for (const auto& s : r.per_class)
    per_class.push_back({{"label", s.label},
                         {"precision", s.precision},
                         {"recall", s.recall},
                         {"f1", s.f1},
                         {"support", s.support},
                         {"predicted", s.predicted}});
  nlohmann::json j = {{"metric", r.metric_name}, {"value", r.metric},      {"accuracy", r.accuracy},
                      {"micro_f1", r.micro_f1},  {"macro_f1", r.macro_f1}, {"tracks", r.tracks},
                      {"per_class", per_class}};
  if (!r.confusion.empty()) j["confusion"] = r.confusion;
  if (!r.unseen_in_training.empty()) j["unseen_in_training"] = r.unseen_in_training;
  return j;
}

std::string format_report(const MetricReport& r) {
  char line[256];
  std::snprintf(line, sizeof line, "%s: %.4f  (macro-F1 %.4f, %lld tracks)\n",
                r.metric_name.c_str(), r.metric, r.macro_f1, static_cast<long long>(r.tracks));
  std::string out = line;
  size_t width = 5;
  for (const auto& s : r.per_class) width = std::max(width, std::min<size_t>(s.label.size(), 24));
  std::snprintf(line, sizeof line, "  %-*s %9s %9s %9s %8s\n", static_cast<int>(width), "class",
                "precision", "recall", "f1", "support");
  out += line;
  for (const auto& s : r.per_class) {
    if (!s.support && !s.predicted) continue;
    std::snprintf(line, sizeof line, "  %-*s %9.3f %9.3f %9.3f %8lld\n", static_cast<int>(width),
                  s.label.substr(0, 24).c_str(), s.precision, s.recall, s.f1,
                  static_cast<long long>(s.support));
    out += line;
  }
  if (!r.unseen_in_training.empty()) {
    out += "  note: " + std::to_string(r.unseen_in_training.size()) +
           " test label(s) never seen in training, scored as misses:";
    for (const auto& l : r.unseen_in_training) out += " '" + l + "'";
    out += "\n";
  }
  return out;
}

}  // namespace melclass::eval
