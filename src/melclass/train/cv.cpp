#include "melclass/train/cv.h"

#include <chrono>
#include <cmath>
#include <set>

#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"
#include "melclass/data/dataset.h"
#include "melclass/eval/metrics.h"
#include "melclass/train/artist_prior.h"
#include "melclass/train/calibration.h"
#include "melclass/train/group_pool.h"
#include "melclass/train/run_dir.h"
#include "melclass/train/scoring.h"
#include "melclass/train/split.h"
#include "melclass/train/trainer.h"

namespace fs = std::filesystem;

namespace melclass::train {
namespace {

struct HeldOut {
  std::vector<TrackSource> sources;
  std::vector<std::vector<int64_t>> truth;
  std::vector<size_t> rows;         ///< positions in the training list
  std::vector<std::string> groups;  ///< artist_group of each held-out track
};

// Out-of-fold probabilities, one row per training track, filled fold by fold.
struct OutOfFold {
  std::vector<int> fold;  ///< 1-based
  std::vector<std::vector<float>> probs;
  std::vector<std::vector<float>> unpooled;  ///< before artist pooling; empty when it is off
};

void store_rows(const at::Tensor& probs, const std::vector<size_t>& rows,
                std::vector<std::vector<float>>& out) {
  const at::Tensor p = probs.to(at::kFloat).contiguous();
  for (size_t r = 0; r < rows.size(); ++r) {
    const float* row = p[static_cast<int64_t>(r)].data_ptr<float>();
    out[rows[r]].assign(row, row + p.size(1));
  }
}

// The tracks of fold `fold` (0-based), as the trainer splits the training list.
HeldOut held_out(const std::vector<TrackSource>& sources,
                 const std::vector<std::vector<int64_t>>& labels,
                 const std::vector<std::string>& groups, const std::vector<int>& fold_of,
                 int fold) {
  HeldOut h;
  for (size_t i = 0; i < sources.size(); ++i)
    if (fold_of[i] == fold) {
      h.sources.push_back(sources[i]), h.truth.push_back(labels[i]), h.rows.push_back(i);
      h.groups.push_back(groups[i]);
    }
  return h;
}

eval::MetricReport score_run(const fs::path& run_dir, const HeldOut& h, int fold, OutOfFold& oof) {
  const LoadedRun run = load_run(run_dir, c10::Device(c10::kCPU));
  at::Tensor probs = run.predict(h.sources, c10::Device(c10::kCPU)).to(at::kFloat).contiguous();
  // Artist-disjoint folds: no held-out artist is in the fold's artist labels.
  const auto& r = run.config.recipe;
  probs = apply_artist_prior_for_task(probs, h.groups, run.artist_labels, run.vocab.multi_label(),
                                      r.artist_prior, r.artist_tag_mix)
              .contiguous();
  const double pool = artist_pool_weight(r.artist_pool, run.vocab.multi_label());
  if (pool > 0) {  // as predict does over a test part: the held-out fold's artists
    if (oof.unpooled.empty()) oof.unpooled.resize(oof.probs.size());
    store_rows(probs, h.rows, oof.unpooled);
    probs = pool_by_group(probs, h.groups, pool).contiguous();
  }
  store_rows(probs, h.rows, oof.probs);
  for (size_t r : h.rows) oof.fold[r] = fold + 1;
  return score_probabilities(probs, h.truth, run.vocab.labels(), run.vocab.multi_label(),
                             run.calibration.min_tags);
}

// OUT/oof_predictions.json: each training track's held-out fold and its
// (calibrated) probabilities from the run that did not see it.
void write_out_of_fold(const fs::path& file, const data::Dataset& ds, const data::LabelVocab& vocab,
                       const OutOfFold& oof) {
  nlohmann::json ids = nlohmann::json::array();
  for (const auto& t : ds.tracks()) ids.push_back(t.id);
  nlohmann::json j = {
      {"labels", vocab.labels()}, {"track_index", ids}, {"fold", oof.fold}, {"probs", oof.probs}};
  if (!oof.unpooled.empty()) j["probs_before_artist_pool"] = oof.unpooled;
  write_file_atomically(file, [&](std::ostream& s) { s << j.dump() << "\n"; });
}

// The training list as cv splits it (one entry per training track).
struct CvInputs {
  const std::vector<TrackSource>& sources;
  const std::vector<std::vector<int64_t>>& labels;
  const std::vector<std::string>& groups;
  const std::vector<int>& fold_of;
};

// Trains fold k (0-based) into folder/fold-<k+1>, scores its held-out tracks
// and appends the fold to `result`.
void run_fold(const TrainConfig& base, int folds, int k, const fs::path& folder, const CvInputs& in,
              OutOfFold& oof, CvResult& result) {
  const auto t0 = std::chrono::steady_clock::now();
  TrainConfig cfg = base;
  cfg.cv_folds = folds, cfg.cv_fold = k;
  const std::string name = "fold-" + std::to_string(k + 1);
  cfg.out = (fs::path(base.out) / name).string();
  const TrainResult trained = train_into(cfg, folder / name);
  const HeldOut h = held_out(in.sources, in.labels, in.groups, in.fold_of, k);
  const auto report = score_run(folder / name, h, k, oof);
  FoldResult f;
  f.fold = k + 1, f.metric = report.metric, f.macro_f1 = report.macro_f1;
  f.train_tracks = trained.train_tracks, f.val_tracks = trained.val_tracks;
  f.test_tracks = static_cast<int64_t>(h.sources.size()), f.best_epoch = trained.best_epoch;
  f.kept_epoch = trained.kept_epoch;
  f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  result.metric_name = report.metric_name;
  result.folds.push_back(f);
}

void summarize(CvResult& result, std::chrono::steady_clock::time_point start) {
  const double n = static_cast<double>(result.folds.size());
  for (const auto& f : result.folds) result.mean += f.metric / n;
  for (const auto& f : result.folds) result.std += std::pow(f.metric - result.mean, 2) / n;
  result.std = std::sqrt(result.std);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

nlohmann::json to_json(const CvResult& r) {
  nlohmann::json folds = nlohmann::json::array();
  for (const auto& f : r.folds)
    folds.push_back({{"fold", f.fold},
                     {r.metric_name, f.metric},
                     {"macro_f1", f.macro_f1},
                     {"train_tracks", f.train_tracks},
                     {"val_tracks", f.val_tracks},
                     {"test_tracks", f.test_tracks},
                     {"best_epoch", f.best_epoch},
                     {"kept_epoch", f.kept_epoch},
                     {"seconds", f.seconds}});
  return {{"metric", r.metric_name},
          {"mean", r.mean},
          {"std", r.std},
          {"folds", folds},
          {"seconds", r.seconds}};
}

CvResult run_cv(const TrainConfig& base, int folds,
                const std::function<void(const FoldResult&)>& on_fold) {
  check(folds >= 2 && folds <= 50, "cv", "", "folds must be in [2, 50]");
  check(!base.out.empty(), "cv", "", "no output folder given");
  validate(base);
  const auto start = std::chrono::steady_clock::now();
  const auto ds = data::Dataset::load(train_data_options(base), data::Split::kTrain);
  const data::LabelVocab vocab(ds.label_set(), data::task_info(ds.task()).multi_label);
  std::vector<std::string> groups;
  std::vector<std::vector<int64_t>> labels;
  const std::string label_file = data::train_label_path(base.data_root).string();
  split_keys(ds, vocab, label_file, groups, labels);
  const size_t artists = std::set<std::string>(groups.begin(), groups.end()).size();
  check(artists >= static_cast<size_t>(folds), "cv", label_file,
        std::to_string(folds) + " folds need at least as many artists; the training tracks have " +
            std::to_string(artists));
  const auto sources = make_sources(base, ds);
  const auto fold_of = assign_folds(groups, labels, folds, folds_seed(base));
  const CvInputs in{sources, labels, groups, fold_of};
  CvResult result;
  write_folder_atomically(
      base.out,
      [&](const fs::path& folder) {
        OutOfFold oof{std::vector<int>(sources.size(), 0),
                      std::vector<std::vector<float>>(sources.size()),
                      {}};
        for (int k = 0; k < folds; ++k) {
          run_fold(base, folds, k, folder, in, oof, result);
          if (on_fold) on_fold(result.folds.back());
        }
        summarize(result, start);
        write_out_of_fold(folder / "oof_predictions.json", ds, vocab, oof);
        write_file_atomically(folder / "cv_summary.json",
                              [&](std::ostream& s) { s << to_json(result).dump(2) << "\n"; });
      },
      is_replaceable_output);
  return result;
}

}  // namespace melclass::train
