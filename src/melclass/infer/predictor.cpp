#include "melclass/infer/predictor.h"

#include <chrono>
#include <cstdio>
#include <random>

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"
#include "melclass/core/runtime.h"
#include "melclass/data/dataset.h"
#include "melclass/train/calibration.h"
#include "melclass/train/run_dir.h"
#include "melclass/train/scoring.h"

namespace fs = std::filesystem;

namespace melclass::infer {
namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void write_outputs(const PredictOptions& o, const Predictions& p) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& labels : p.labels)
    list.push_back(p.vocab.multi_label() ? nlohmann::json(labels) : nlohmann::json(labels.at(0)));
  const fs::path csv = csv_path_for(o.out);
  write_file_atomically(csv, [&](std::ostream& out) {
    out << "track_id," << (p.vocab.multi_label() ? "tags" : "prediction");
    for (const auto& l : p.vocab.labels()) out << "," << csv_field("score_" + l);
    out << "\n";
    const at::Tensor probs = p.probabilities.contiguous();
    for (size_t i = 0; i < p.track_ids.size(); ++i) {
      std::string joined;
      for (const auto& l : p.labels[i]) joined += (joined.empty() ? "" : ";") + l;
      out << p.track_ids[i] << "," << csv_field(joined);
      char buf[32];
      for (int64_t c = 0; c < probs.size(1); ++c) {
        std::snprintf(buf, sizeof buf, ",%.6f", probs[static_cast<int64_t>(i)][c].item<float>());
        out << buf;
      }
      out << "\n";
    }
  });
  write_file_atomically(o.out, [&](std::ostream& out) { out << list.dump() << "\n"; });
}

}  // namespace

fs::path csv_path_for(const fs::path& json_path) {
  fs::path csv = json_path;
  return csv.replace_extension(".csv");
}

std::vector<std::vector<std::string>> decide_labels(const at::Tensor& probabilities,
                                                    const data::LabelVocab& vocab, int min_tags) {
  std::vector<std::vector<std::string>> out(static_cast<size_t>(probabilities.size(0)));
  if (vocab.multi_label()) {
    const auto tags = train::decide_tags(probabilities, min_tags);
    for (size_t i = 0; i < tags.size(); ++i)
      for (int64_t c : tags[i]) out[i].push_back(vocab.label(static_cast<size_t>(c)));
    return out;
  }
  const at::Tensor best = probabilities.argmax(1).contiguous();
  for (int64_t i = 0; i < best.size(0); ++i)
    out[i].push_back(vocab.label(static_cast<size_t>(best[i].item<int64_t>())));
  return out;
}

Predictions predict(const PredictOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  check(!o.out.empty(), "predict", "", "no output file given");
  check(o.out.extension() != ".csv", "predict", o.out.string(),
        "the output is the JSON list; the CSV is written beside it");
  configure_threads(o.threads);
  const c10::Device device = parse_device(o.device);
  train::LoadedRun run = train::load_run(o.run, device);
  data::DatasetOptions dopt;
  dopt.root = o.root;
  dopt.task = data::parse_task(run.config.task);
  dopt.with_labels = false;
  dopt.skip_missing = false;  // every test track needs a prediction
  const auto test = data::Dataset::load(dopt, data::Split::kTest);
  Predictions p;
  p.vocab = run.vocab;
  std::mt19937_64 rng(run.config.seed);
  std::vector<fs::path> files;
  for (const auto& t : test.tracks()) {
    p.track_ids.push_back(t.id);
    files.push_back(test.spectrogram_file(t));
  }
  p.probabilities = train::predict_files(*run.model, files, run.config.n_mels, run.config.recipe,
                                         run.vocab.multi_label(), device, rng);
  if (run.vocab.multi_label()) p.probabilities = train::apply_calibration(p.probabilities, run.calibration);
  p.labels = decide_labels(p.probabilities, p.vocab, run.calibration.min_tags);
  write_outputs(o, p);
  p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return p;
}

}  // namespace melclass::infer
