#include "melclass/infer/predictor.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <utility>

#include <torch/types.h>
#include <nlohmann/json.hpp>

#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"
#include "melclass/core/runtime.h"
#include "melclass/data/dataset.h"
#include "melclass/train/artist_prior.h"
#include "melclass/train/calibration.h"
#include "melclass/train/group_pool.h"
#include "melclass/train/run_dir.h"
#include "melclass/train/scoring.h"
#include "melclass/train/split.h"

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

// One run's probabilities [N, C] over root's test split (calibrated for
// multi-label); fills `ids` (data_idx order) and each track's artist group.
at::Tensor predict_run(const train::LoadedRun& run, const fs::path& root,
                       std::vector<std::string>& ids, std::vector<std::string>& groups,
                       c10::Device device, int threads, bool bf16) {
  data::DatasetOptions dopt;
  dopt.root = root;
  dopt.task = data::parse_task(run.config.task);
  dopt.with_labels = false;
  dopt.skip_missing = false;  // every test track needs a prediction
  dopt.require_spectrograms = train::uses_audio(run.config);
  const auto test = data::Dataset::load(dopt, data::Split::kTest);
  const std::vector<train::TrackSource> sources = train::make_sources(run.config, test);
  ids.clear(), groups.clear();
  for (const auto& t : test.tracks()) ids.push_back(t.id), groups.push_back(train::artist_group(t));
  return run.predict(sources, device, threads, bf16);  // one track per thread
}

// The artist prior (train/artist_prior.h) on one run's probabilities, with
// the weights of the options or else of the run's recipe.
at::Tensor with_artist_prior(const at::Tensor& probs, const train::LoadedRun& run,
                             const std::vector<std::string>& groups, const PredictOptions& o) {
  const auto& r = run.config.recipe;
  return train::apply_artist_prior_for_task(
      probs, groups, run.artist_labels, run.vocab.multi_label(),
      o.artist_prior.value_or(r.artist_prior), o.artist_tag_mix.value_or(r.artist_tag_mix));
}

// Scores must be finite before anything is written: NaN/Inf come from input
// values out of range for the compression or a corrupt run.
void check_finite_scores(const Predictions& p) {
  const at::Tensor bad = at::isfinite(p.probabilities).logical_not().any(1).nonzero();
  if (bad.numel() == 0) return;
  const auto first = static_cast<size_t>(bad[0][0].item<int64_t>());
  throw Error("predict", "",
              "NaN/Inf scores for " + std::to_string(bad.size(0)) + " track(s), first track " +
                  p.track_ids.at(first) + " (input values out of range, or a corrupt run)");
}

// Refused before any work: an output that is not a writable file, that
// would overwrite a file of a run being read, or that lies in the dataset.
void check_outputs(const PredictOptions& o, const std::vector<fs::path>& runs) {
  check_output_file(o.out);
  check_output_file(csv_path_for(o.out));
  const fs::path out = fs::weakly_canonical(o.out);
  std::vector<fs::path> folders = runs;
  folders.insert(folders.end(), o.runs.begin(), o.runs.end());
  for (const auto& r : folders)
    check(out.parent_path() != fs::weakly_canonical(r) ||
              !train::is_run_file_name(out.filename().string()),
          "predict", o.out.string(), "would overwrite a file of the run " + r.string());
  for (const char* part : {"train", "test"}) {
    const fs::path rel = out.lexically_relative(fs::weakly_canonical(o.root) / part);
    check(rel.empty() || *rel.begin() == "..", "predict", o.out.string(),
          std::string("lies inside the dataset's ") + part + " folder");
  }
}

void check_weights(const PredictOptions& o) {
  for (const auto& [name, v] : {std::pair{"artist_pool", o.artist_pool},
                                {"artist_prior", o.artist_prior},
                                {"artist_tag_mix", o.artist_tag_mix}})
    check(!v || std::isfinite(*v), "predict", "", std::string(name) + " must be a finite number");
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

std::vector<fs::path> expand_runs(const std::vector<fs::path>& runs) {
  std::vector<fs::path> out;
  for (const auto& r : runs) {
    if (fs::exists(train::config_file(r)) || !fs::is_directory(r)) {
      out.push_back(r);  // a run (load_run names what is wrong with it)
      continue;
    }
    std::vector<fs::path> folds;
    for (const auto& e : fs::directory_iterator(r))
      if (e.is_directory() && e.path().filename().string().rfind("fold-", 0) == 0 &&
          fs::exists(train::config_file(e.path())))
        folds.push_back(e.path());
    check(!folds.empty(), "predict", r.string(), "neither a run folder nor a cv folder");
    std::sort(folds.begin(), folds.end());
    out.insert(out.end(), folds.begin(), folds.end());
  }
  check(!out.empty(), "predict", "", "no run folder given");
  return out;
}

Predictions predict(const PredictOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  check(!o.out.empty(), "predict", "", "no output file given");
  check(o.out.extension() != ".csv", "predict", o.out.string(),
        "the output is the JSON list; the CSV is written beside it");
  check_weights(o);
  const bool bf16 = parse_autocast(o.autocast, "predict");
  const int threads = configure_threads(o.threads);
  const c10::Device device = parse_device(o.device);
  const auto runs = expand_runs(o.runs);
  check_outputs(o, runs);
  Predictions p;
  at::Tensor sum;
  int min_tags = 0;
  double pool = 0;
  std::vector<std::string> groups;
  for (size_t k = 0; k < runs.size(); ++k) {
    train::LoadedRun run = train::load_run(runs[k], device);
    if (k == 0) {
      p.vocab = run.vocab;
      pool = train::artist_pool_weight(o.artist_pool.value_or(run.config.recipe.artist_pool),
                                       run.vocab.multi_label());
    }
    check(
        run.vocab.labels() == p.vocab.labels() && run.vocab.multi_label() == p.vocab.multi_label(),
        "predict", runs[k].string(), "run has another label vocabulary than " + runs[0].string());
    const at::Tensor probs = with_artist_prior(
        predict_run(run, o.root, p.track_ids, groups, device, threads, bf16), run, groups, o);
    sum = k == 0 ? probs : sum + probs;
    min_tags = std::max(min_tags, run.calibration.min_tags);
  }
  p.probabilities = sum / static_cast<double>(runs.size());
  p.probabilities = train::pool_by_group(p.probabilities, groups, pool);
  check_finite_scores(p);
  p.labels = decide_labels(p.probabilities, p.vocab, min_tags);
  write_outputs(o, p);
  p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return p;
}

}  // namespace melclass::infer
