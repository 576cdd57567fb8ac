#include "melclass/report/report.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <numeric>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"
#include "melclass/data/dataset.h"
#include "melclass/eval/evaluate.h"
#include "melclass/io/json_table.h"
#include "melclass/report/svg.h"
#include "melclass/train/calibration.h"
#include "melclass/train/run_dir.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace melclass::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr size_t kMaxClassesShown = 30;  // mood has 100 tags: the most frequent ones

const char* kStyle =
    "body{font-family:sans-serif;max-width:1000px;margin:24px auto;color:#222}"
    "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;"
    "text-align:right}td:first-child,th:first-child{text-align:left}h2{margin-top:32px}"
    "svg{display:inline-block;margin:4px 8px 4px 0;vertical-align:top}"
    "pre{background:#f6f6f6;padding:8px;overflow:auto}.note{color:#555}";

// One row per epoch of metrics.jsonl; NaN where an epoch has no value.
struct EpochTable {
  std::string metric_key;  ///< "val_accuracy", "val_micro_f1" (first "val_*" but val_loss)
  std::vector<double> epoch, train_loss, val_loss, val_metric, lr;
};

double number_or_nan(const json& j, const std::string& key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : kNaN;
}

EpochTable read_metrics(const fs::path& run) {
  EpochTable t;
  const fs::path file = train::metrics_file(run);
  std::ifstream in(file);
  check(in.good(), "report", file.string(), "cannot read the training log");
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json j;
    try {
      j = io::parse_json(line, file.string());
    } catch (const json::exception& e) {
      throw Error("report", file.string(),
                  "line " + std::to_string(line_no) + ": " + io::json_error_text(e));
    }
    check(j.is_object(), "report", file.string(),
          "line " + std::to_string(line_no) + ": expected a JSON object");
    for (auto it = j.begin(); t.metric_key.empty() && it != j.end(); ++it)
      if (it.key().rfind("val_", 0) == 0 && it.key() != "val_loss") t.metric_key = it.key();
    t.epoch.push_back(number_or_nan(j, "epoch"));
    t.train_loss.push_back(number_or_nan(j, "train_loss"));
    t.val_loss.push_back(number_or_nan(j, "val_loss"));
    t.val_metric.push_back(t.metric_key.empty() ? kNaN : number_or_nan(j, t.metric_key));
    t.lr.push_back(number_or_nan(j, "lr"));
  }
  return t;
}

std::string cell(const json& v) {
  if (v.is_number_float()) return format_number(v.get<double>());
  if (v.is_string()) return escape(v.get<std::string>());
  return escape(io::brief(v, 200));
}

// One table row of `cells` (already escaped) as <td>, or <th> for a header.
std::string row(const std::vector<std::string>& cells, const char* tag = "td") {
  std::string s = "<tr>";
  for (const auto& c : cells) s += std::string("<") + tag + ">" + c + "</" + tag + ">";
  return s + "</tr>";
}

// A two-column table of an object's scalar fields (lists and objects skipped).
std::string fields_table(const json& obj) {
  std::string s = "<table>";
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (!it->is_structured()) s += row({escape(it.key()), cell(*it)});
  return s + "</table>";
}

std::string curves(const fs::path& run) {
  const EpochTable t = read_metrics(run);
  std::string s =
      line_chart({{"train", t.epoch, t.train_loss}, {"validation", t.epoch, t.val_loss}},
                 epoch_chart("loss", "loss"));
  if (!t.metric_key.empty())
    s += line_chart({{t.metric_key, t.epoch, t.val_metric}},
                    epoch_chart("validation metric", t.metric_key.substr(4)));
  return s + line_chart({{"lr", t.epoch, t.lr}}, epoch_chart("learning rate", "lr", true));
}

std::string run_section(const fs::path& run) {
  const json config = train::read_run_json(train::config_file(run));
  std::string s = "<h2>Configuration</h2>" + fields_table(config);
  if (config.contains("recipe"))
    s += "<details><summary>recipe</summary><pre>" + escape(config["recipe"].dump(2)) +
         "</pre></details>";
  if (fs::exists(train::summary_file(run)))
    s += "<h2>Summary</h2>" + fields_table(train::read_run_json(train::summary_file(run)));
  return s + "<h2>Training</h2>" + curves(run);
}

std::string cv_section(const fs::path& cv) {
  const json summary = train::read_run_json(cv / "cv_summary.json");
  const std::string metric = summary.value("metric", std::string("metric"));
  std::string s = "<h2>Cross-validation</h2><p>" + escape(metric) + ": mean <b>" +
                  format_number(summary.value("mean", kNaN)) + "</b> &#177; " +
                  format_number(summary.value("std", kNaN)) + " over " +
                  std::to_string(summary.value("folds", json::array()).size()) + " folds</p>";
  std::vector<std::string> names;
  std::vector<double> values;
  std::vector<Series> losses;
  s += "<table>" + row({"fold", escape(metric), "macro-F1", "train", "val", "held out",
                        "kept epoch", "seconds"},
                       "th");
  for (const auto& f : summary.value("folds", json::array())) {
    const std::string name = "fold " + std::to_string(f.value("fold", 0));
    names.push_back(name), values.push_back(f.value(metric, kNaN));
    s += row({name, format_number(values.back()), format_number(f.value("macro_f1", kNaN)),
              cell(f.value("train_tracks", json())), cell(f.value("val_tracks", json())),
              cell(f.value("test_tracks", json())), cell(f.value("kept_epoch", json())),
              format_number(f.value("seconds", kNaN), 3)});
    const fs::path run = cv / ("fold-" + std::to_string(f.value("fold", 0)));
    if (fs::exists(train::metrics_file(run))) {
      const EpochTable t = read_metrics(run);
      losses.push_back({name, t.epoch, t.train_loss});
    }
  }
  s += "</table>" + bar_chart(names, values, metric + " per held-out fold");
  return s + line_chart(losses, epoch_chart("training loss per fold", "loss"));
}

std::string evaluation_html(const eval::MetricReport& r, const std::string& heading,
                            const std::string& what) {
  std::string s = "<h2>" + escape(heading) + "</h2><p class='note'>" + escape(what) + "</p><p>" +
                  escape(r.metric_name) + ": <b>" + format_number(r.metric) + "</b> (macro-F1 " +
                  format_number(r.macro_f1) + ", " + std::to_string(r.tracks) + " tracks)</p>";
  if (!r.unseen_in_training.empty())
    s += "<p class='note'>" + std::to_string(r.unseen_in_training.size()) +
         " test label(s) never seen in training, scored as misses.</p>";
  std::vector<eval::ClassScore> shown;
  for (const auto& c : r.per_class)
    if (c.support || c.predicted) shown.push_back(c);
  std::stable_sort(shown.begin(), shown.end(),
                   [](const auto& a, const auto& b) { return a.support > b.support; });
  if (shown.size() > kMaxClassesShown) shown.resize(kMaxClassesShown);
  if (!r.confusion.empty()) {
    std::vector<std::string> labels;
    for (const auto& c : r.per_class) labels.push_back(c.label);
    s += confusion_heatmap(r.confusion, labels);
  }
  std::vector<std::string> names;
  std::vector<double> f1;
  s += "<table>" + row({"class", "precision", "recall", "F1", "support", "predicted"}, "th");
  for (const auto& c : shown) {
    names.push_back(c.label), f1.push_back(c.f1);
    s += row({escape(c.label), format_number(c.precision, 3), format_number(c.recall, 3),
              format_number(c.f1, 3), std::to_string(c.support), std::to_string(c.predicted)});
  }
  return s + "</table>" + bar_chart(names, f1, "F1 per class (most frequent first)");
}

// A cv folder's oof_predictions.json, with the task and decision rule of its folds.
struct OutOfFold {
  std::string source;
  std::vector<std::string> labels, ids;
  std::vector<std::vector<double>> probs;  ///< [track][class], as cv stored them
  data::Task task = data::Task::kStation;
  int min_tags = 1;
};

OutOfFold read_out_of_fold(const fs::path& cv) {
  OutOfFold o;
  o.source = (cv / "oof_predictions.json").string();
  const json oof = train::read_run_json(o.source);
  const json config = train::read_run_json(train::config_file(cv / "fold-1"));
  o.labels = oof.at("labels").get<std::vector<std::string>>();
  o.ids = oof.at("track_index").get<std::vector<std::string>>();
  o.probs = oof.at("probs").get<std::vector<std::vector<double>>>();
  o.task = data::parse_task(config.at("task").get<std::string>());
  o.min_tags = config.at("recipe").value("min_tags", 1);
  check(o.ids.size() == o.probs.size() && !o.ids.empty(), "report", o.source,
        "track_index and probs differ in length");
  for (const auto& row : o.probs)
    check(row.size() == o.labels.size(), "report", o.source, "a probs row is not one per label");
  return o;
}

// Each out-of-fold track's true class indices, from ROOT/train/train_label.
std::vector<std::vector<int64_t>> truth_of(const OutOfFold& oof, const fs::path& root) {
  data::DatasetOptions o;
  o.root = root;
  o.task = oof.task;
  o.require_spectrograms = false;
  const data::Dataset ds = data::Dataset::load(o, data::Split::kTrain);
  std::map<std::string, const data::Track*> by_id;
  for (const auto& t : ds.tracks()) by_id[t.id] = &t;
  std::vector<std::vector<int64_t>> truth;
  for (const auto& id : oof.ids) {
    const auto it = by_id.find(id);
    check(it != by_id.end(), "report", oof.source,
          "track " + id + " is not in " + data::train_label_path(root).string());
    std::vector<int64_t> t;
    for (const auto& l : it->second->labels) {
      const auto at = std::find(oof.labels.begin(), oof.labels.end(), l);
      check(at != oof.labels.end(), "report", oof.source, "label '" + l + "' is not in 'labels'");
      t.push_back(at - oof.labels.begin());
    }
    truth.push_back(std::move(t));
  }
  return truth;
}

// The cv folder's out-of-fold predictions scored as cv scored each fold:
// top-1 (single-label), or the calibrated cut with at least min_tags tags.
eval::MetricReport score_out_of_fold(const fs::path& cv, const fs::path& root) {
  const OutOfFold oof = read_out_of_fold(cv);
  std::vector<float> flat;
  for (const auto& row : oof.probs) flat.insert(flat.end(), row.begin(), row.end());
  const at::Tensor p = at::tensor(flat).view({static_cast<int64_t>(oof.probs.size()), -1});
  return train::score_probabilities(p, truth_of(oof, root), oof.labels,
                                    data::task_info(oof.task).multi_label, oof.min_tags);
}

std::string page(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + escape(title) +
         "</title><style>" + kStyle + "</style></head><body><h1>" + escape(title) + "</h1>" + body +
         "<p class='note'>Written by melclass report.</p></body></html>\n";
}

}  // namespace

fs::path write_report(const ReportOptions& o) {
  const bool cv = train::is_cv_folder(o.run);
  check(cv || fs::is_regular_file(train::config_file(o.run)), "report", o.run.string(),
        "neither a run folder (config.json) nor a cv folder (fold-1, cv_summary.json)");
  check(o.predictions.empty() || !o.data.empty(), "report", o.predictions.string(),
        "scoring predictions needs --data (the root holding test/test_label)");
  std::string body;
  try {
    body = cv ? cv_section(o.run) + run_section(o.run / "fold-1") : run_section(o.run);
    if (cv && !o.data.empty())
      body += evaluation_html(score_out_of_fold(o.run, o.data), "Out-of-fold scores",
                              "every training track, predicted by the fold model that did not "
                              "train on it (fold-1's configuration and curves above)");
  } catch (const json::exception& e) {
    throw Error("report", o.run.string(), "unexpected content: " + io::json_error_text(e));
  }
  if (!o.predictions.empty())
    body += evaluation_html(
        eval::evaluate_predictions({o.predictions, o.data, std::nullopt}), "Test scores",
        o.predictions.string() + " against " + data::test_label_path(o.data).string());
  const fs::path out = o.out.empty() ? o.run / "report.html" : o.out;
  const std::string html = page("melclass report: " + o.run.filename().string(), body);
  write_file_atomically(out, [&](std::ostream& s) { s << html; });
  return out;
}

}  // namespace melclass::report
