#include "melclass/data/toy_dataset.h"

#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"
#include "melclass/data/dataset.h"
#include "melclass/io/npy.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace melclass::data {
namespace {

constexpr int kClasses = 4;
constexpr int kMoodTags = 100;

struct TrackParams {
  int cls;
  double beat_frames;  // frames between onsets (tempo)
  double f0_band;      // harmonic register (mel band of the fundamental)
  double tilt;         // spectral tilt (dB per band)
  double density;      // fraction of onsets that sound
  double level;        // overall gain
};

TrackParams draw_params(int cls, std::mt19937_64& rng) {
  std::normal_distribution<double> n(0.0, 1.0);
  static const double kBeat[kClasses] = {10, 12, 20, 26};
  static const double kF0[kClasses] = {30, 18, 22, 34};
  static const double kTilt[kClasses] = {-0.10, -0.05, -0.16, -0.20};
  static const double kDensity[kClasses] = {0.9, 0.95, 0.5, 0.35};
  TrackParams p;
  p.cls = cls;
  p.beat_frames = std::max(4.0, kBeat[cls] * (1.0 + 0.15 * n(rng)));
  p.f0_band = std::clamp(kF0[cls] + 5.0 * n(rng), 8.0, 60.0);
  p.tilt = kTilt[cls] + 0.04 * n(rng);
  p.density = std::clamp(kDensity[cls] + 0.15 * n(rng), 0.1, 1.0);
  p.level = std::pow(10.0, 0.5 * n(rng));
  return p;
}

// Power mel [1, 128, T]: harmonic stripes gated by onsets, plus a noise floor.
at::Tensor render(const TrackParams& p, int64_t frames, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<float> onset(static_cast<size_t>(frames), 0.0f);
  for (double t = u(rng) * p.beat_frames; t < frames; t += p.beat_frames)
    if (u(rng) < p.density)
      for (int64_t k = 0; k < 8 && t + k < frames; ++k)
        onset[static_cast<size_t>(t) + k] = static_cast<float>(std::exp(-0.4 * k));
  std::vector<float> out(static_cast<size_t>(128 * frames));
  const int64_t intro = static_cast<int64_t>(u(rng) * 60);  // quiet intro
  for (int64_t b = 0; b < 128; ++b) {
    double harmonic = 0.0;
    for (int h = 1; h <= 6; ++h) {
      const double centre = p.f0_band + 22.0 * std::log2(h);
      harmonic += std::exp(-0.5 * std::pow((b - centre) / 1.5, 2)) / h;
    }
    const double envelope = std::pow(10.0, p.tilt * b / 10.0);
    for (int64_t t = 0; t < frames; ++t) {
      const double noise = 0.02 * -std::log(std::max(u(rng), 1e-12));
      const double fade = t < intro ? 0.05 : 1.0;
      const double value = p.level * fade * envelope * (0.3 * harmonic + onset[t] * 0.8 + noise);
      out[static_cast<size_t>(b * frames + t)] = static_cast<float>(value);
    }
  }
  return at::from_blob(out.data(), {1, 128, frames}, at::kFloat).clone();
}

std::vector<std::string> mood_tags(const TrackParams& p, std::mt19937_64& rng) {
  // 25 tags per class region; the number and choice depend on the parameters.
  std::uniform_int_distribution<int> pick(0, 24);
  const int count = 1 + static_cast<int>(p.density * 3.99);
  std::vector<std::string> tags;
  for (int i = 0; i < count; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "mood%02d", p.cls * 25 + pick(rng) % (5 + 5 * i));
    tags.emplace_back(name);
  }
  return tags;
}

json label_cell(Task task, const TrackParams& p, std::mt19937_64& rng) {
  static const char* kStations[kClasses] = {"Q1", "Q2", "Q3", "Q4"};
  static const char* kGenres[kClasses] = {"J-ROCK", "R&B", "가요곡/엔카", "레게"};
  if (task == Task::kMood) return mood_tags(p, rng);
  return task == Task::kGenre ? kGenres[p.cls] : kStations[p.cls];
}

// Test tracks only carry tags that some training track has, as in the real
// data, so that evaluation never meets a tag training could not learn.
json seen_tags_only(const json& tags, bool is_test, std::set<std::string>& seen) {
  if (!is_test) {
    for (const auto& t : tags) seen.insert(t.get<std::string>());
    return tags;
  }
  json kept = json::array();
  for (const auto& t : tags)
    if (seen.count(t.get<std::string>())) kept.push_back(t);
  if (kept.empty()) kept.push_back(*seen.begin());
  return kept;
}

void write_json(const fs::path& path, const json& j) {
  write_file_atomically(path, [&](std::ostream& out) { out << j.dump() << "\n"; });
}

}  // namespace

void write_toy_dataset(const ToyDatasetOptions& o) {
  check(o.tracks >= 8, "synth", o.root.string(), "need at least 8 tracks");
  check(o.test_fraction > 0 && o.test_fraction < 1, "synth", "", "test fraction must be in (0, 1)");
  check(o.min_frames > 0 && o.max_frames >= o.min_frames, "synth", "", "invalid frame range");
  std::mt19937_64 rng(o.seed);
  const TaskInfo& info = task_info(o.task);
  const int n_test = std::max(4, static_cast<int>(o.tracks * o.test_fraction));
  json train = {{"track_index", json::object()}, {info.label_column, json::object()}};
  json test_meta = {{"track_index", json::object()}, {"track_title", json::object()}};
  json test_label = train;
  json track_meta = {{"track_index", json::object()}, {"track_title", json::object()}};
  for (const Split split : {Split::kTrain, Split::kTest})
    fs::create_directories(mel_dir_path(o.root, split)), fs::create_directories(meta_dir_path(o.root, split));
  std::uniform_int_distribution<int64_t> length(o.min_frames, o.max_frames);
  std::set<std::string> seen_tags;
  for (int i = 0; i < o.tracks; ++i) {
    const bool is_test = i >= o.tracks - n_test;
    const int id = 1000 + i;
    const TrackParams p = draw_params(i % kClasses, rng);
    json label = label_cell(o.task, p, rng);
    if (o.task == Task::kMood) label = seen_tags_only(label, is_test, seen_tags);
    const std::string title = "Track " + std::to_string(id);
    io::write_npy(mel_dir_path(o.root, is_test ? Split::kTest : Split::kTrain) /
                      (std::to_string(id) + ".npy"),
                  render(p, length(rng), rng));
    json& labels = is_test ? test_label : train;
    const std::string row = std::to_string(is_test ? i - (o.tracks - n_test) : i);
    labels["track_index"][row] = id;
    labels[info.label_column][row] = label;
    if (is_test) {
      test_meta["track_index"][row] = id;
      test_meta["track_title"][row] = title;
    }
    track_meta["track_index"][std::to_string(i)] = id;
    track_meta["track_title"][std::to_string(i)] = title;
  }
  write_json(train_label_path(o.root), train);
  write_json(test_label_path(o.root), test_label);
  write_json(test_meta_path(o.root, o.task), test_meta);
  write_json(meta_dir_path(o.root, Split::kTrain) / "track_meta.json", track_meta);
}

}  // namespace melclass::data
