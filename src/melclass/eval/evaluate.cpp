#include "melclass/eval/evaluate.h"

#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"
#include "melclass/data/dataset.h"
#include "melclass/data/labels.h"
#include "melclass/io/json_table.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace melclass::eval {
namespace {

data::Task resolve_task(const EvaluateOptions& o) {
  if (o.task) return *o.task;
  const fs::path path = data::test_label_path(o.root);
  check(fs::exists(path), "evaluate", path.string(), "test label file not found");
  const auto table = io::JsonTable::load(path, "evaluate");
  const auto task = data::detect_task(table.columns());
  check(task.has_value(), "evaluate", path.string(),
        "cannot detect the task: no 'station_name', 'mood_tag' or 'genre' column");
  return *task;
}

// The classes to score over: those train/train_label holds (the model's)
// plus any test label training never saw, listed in `unseen` (each scores as
// a miss, as the competition's scorer counts it).
data::LabelVocab scoring_vocab(const fs::path& root, data::Task task, const data::Dataset& test,
                               std::vector<std::string>& unseen) {
  const bool multi = data::task_info(task).multi_label;
  if (!fs::exists(data::train_label_path(root))) return data::LabelVocab(test.label_set(), multi);
  data::DatasetOptions o;
  o.root = root;
  o.task = task;
  o.require_spectrograms = false;
  const auto train = data::Dataset::load(o, data::Split::kTrain);
  std::vector<std::string> labels = train.label_set();
  const data::LabelVocab trained(labels, multi, data::train_label_path(root).string());
  for (const auto& l : test.label_set())
    if (trained.find(l) < 0) unseen.push_back(l), labels.push_back(l);
  return data::LabelVocab(std::move(labels), multi);
}

std::vector<int64_t> predicted_indices(const json& item, const data::LabelVocab& vocab, bool multi,
                                       const std::string& source, size_t pos) {
  const std::string where = "item " + std::to_string(pos) + ": ";
  std::vector<int64_t> out;
  auto add = [&](const json& label) {
    check(label.is_string(), "evaluate", source,
          where + "expected a label string, got " + io::brief(label));
    const int64_t i = vocab.find(label.get<std::string>());
    check(i >= 0, "evaluate", source,
          where + "predicted label '" + label.get<std::string>() + "' is not a known class");
    out.push_back(i);
  };
  if (!multi) {
    add(item);
    return out;
  }
  check(item.is_array(), "evaluate", source,
        where + "expected a list of tags, got " + io::brief(item));
  for (const auto& tag : item) add(tag);
  return out;
}

}  // namespace

MetricReport evaluate_predictions(const EvaluateOptions& o) {
  const data::Task task = resolve_task(o);
  data::DatasetOptions dopt;
  dopt.root = o.root;
  dopt.task = task;
  dopt.require_spectrograms = false;
  const auto test = data::Dataset::load(dopt, data::Split::kTest);
  std::vector<std::string> unseen;
  const data::LabelVocab vocab = scoring_vocab(o.root, task, test, unseen);

  json preds;
  try {
    preds = io::parse_json(read_text_file(o.predictions), o.predictions.string());
  } catch (const json::exception& e) {
    throw Error("evaluate", o.predictions.string(), "malformed JSON prediction file");
  }
  const std::string source = o.predictions.string();
  check(preds.is_array(), "evaluate", source, "expected a JSON list of predictions");
  check(preds.size() == test.tracks().size(), "evaluate", source,
        "has " + std::to_string(preds.size()) + " predictions, the test set has " +
            std::to_string(test.tracks().size()) + " tracks");
  const bool multi = data::task_info(task).multi_label;
  std::vector<std::vector<int64_t>> truth, pred;
  for (size_t i = 0; i < preds.size(); ++i) {
    pred.push_back(predicted_indices(preds[i], vocab, multi, source, i));
    std::vector<int64_t> t;
    for (const auto& l : test.tracks()[i].labels) t.push_back(vocab.find(l));
    truth.push_back(std::move(t));
  }
  MetricReport report;
  if (multi) {
    report = score_multi_label(truth, pred, vocab.labels());
  } else {
    std::vector<int64_t> t1, p1;
    for (size_t i = 0; i < truth.size(); ++i) t1.push_back(truth[i][0]), p1.push_back(pred[i][0]);
    report = score_single_label(t1, p1, vocab.labels());
  }
  report.unseen_in_training = std::move(unseen);
  return report;
}

}  // namespace melclass::eval
