#include "melclass/data/synth.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "melclass/audio/mel.h"
#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"
#include "melclass/core/parallel.h"
#include "melclass/data/dataset.h"
#include "melclass/data/synth_meta.h"
#include "melclass/data/synth_plan.h"
#include "melclass/data/synth_render.h"
#include "melclass/data/synth_tables.h"
#include "melclass/io/npy.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace melclass::data {
namespace {

constexpr int kFirstId = 1000;  // track_index of the first track (synth_tables.cpp too)

struct Layout {
  std::vector<int> style;  // per track position
  std::vector<bool> test;
  int n_test = 0;
};

int test_count(const SynthOptions& o) {
  return std::max(4, static_cast<int>(o.tracks * o.test_fraction));
}

template <typename T>
void shuffle(std::vector<T>& v, synth::Rng& rng) {  // Fisher-Yates
  for (size_t i = v.size(); i > 1; --i)
    std::swap(v[i - 1], v[static_cast<size_t>(rng.below(static_cast<int>(i)))]);
}

// Which tracks are test tracks (a random subset) and each track's style,
// balanced within the train and the test part.
Layout make_layout(const SynthOptions& o, synth::Rng& rng) {
  Layout l;
  l.n_test = test_count(o);
  l.test.assign(static_cast<size_t>(o.tracks), false);
  l.style.assign(static_cast<size_t>(o.tracks), 0);
  std::vector<int> positions(static_cast<size_t>(o.tracks));
  for (int i = 0; i < o.tracks; ++i) positions[static_cast<size_t>(i)] = i;
  shuffle(positions, rng);
  std::vector<int> test(positions.begin(), positions.begin() + l.n_test);
  std::vector<int> train(positions.begin() + l.n_test, positions.end());
  for (auto* part : {&train, &test}) {
    std::sort(part->begin(), part->end());
    std::vector<int> styles(part->size());
    for (size_t k = 0; k < styles.size(); ++k) styles[k] = static_cast<int>(k % synth::kStyles);
    shuffle(styles, rng);
    for (size_t k = 0; k < part->size(); ++k) {
      l.style[static_cast<size_t>((*part)[k])] = styles[k];
      l.test[static_cast<size_t>((*part)[k])] = part == &test;
    }
  }
  return l;
}

struct TrackRecord {
  double seconds = 0;
  synth::TrackMeta meta;
};

// Renders one track, writes its mel spectrogram, returns its metadata.
TrackRecord synth_track(const SynthOptions& o, const Layout& l, const synth::Catalogue& c,
                        const audio::MelFrontend& frontend, int i) {
  synth::Rng rng(o.seed, static_cast<uint64_t>(i) + 1);
  TrackRecord r;
  r.seconds = o.min_seconds + (o.max_seconds - o.min_seconds) * std::pow(rng.uniform(), 1.5);
  const synth::TrackPlan plan = synth::draw_plan(l.style[static_cast<size_t>(i)], r.seconds, rng);
  r.meta = synth::draw_track_meta(o.task, plan, c, rng);
  std::vector<float> wave = synth::render_track(plan, rng);
  const at::Tensor mel =
      frontend.compute(at::from_blob(wave.data(), {static_cast<int64_t>(wave.size())}, at::kFloat));
  const Split split = l.test[static_cast<size_t>(i)] ? Split::kTest : Split::kTrain;
  io::write_npy(mel_dir_path(o.root, split) / (std::to_string(kFirstId + i) + ".npy"), mel);
  return r;
}

// Progress bar on stderr, drawn only when stderr is a terminal.
class Progress {
 public:
  Progress(bool wanted, int total)
      : enabled_(wanted && ::isatty(STDERR_FILENO)), total_(total), start_(now()) {}
  void draw(int done) const {
    if (!enabled_) return;
    const int width = 30, filled = total_ ? done * width / total_ : width;
    std::fprintf(stderr, "\rsynth [%s%s] %d/%d tracks  %.1f s", std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), done, total_, now() - start_);
    std::fflush(stderr);
  }
  void finish(int done) const {
    draw(done);
    if (enabled_) std::fprintf(stderr, "\n");
  }

 private:
  static double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  bool enabled_;
  int total_;
  double start_;
};

// Renders every track on o.threads workers (all cores when 0), with a progress bar.
std::vector<TrackRecord> render_tracks(const SynthOptions& o, const Layout& layout,
                                       const synth::Catalogue& catalogue) {
  const audio::MelFrontend frontend{audio::MelOptions{}};  // shared read-only
  std::vector<TrackRecord> records(static_cast<size_t>(o.tracks));
  const Progress progress(o.progress, o.tracks);
  ParallelOptions po;
  po.workers = worker_count(o.threads, records.size());
  int finished = 0;
  po.on_tick = [&](size_t done) { progress.draw(finished = static_cast<int>(done)); };
  try {
    parallel_for_each(records.size(), po, [&](size_t i) {
      records[i] = synth_track(o, layout, catalogue, frontend, static_cast<int>(i));
    });
  } catch (...) {
    progress.finish(finished);  // ends the bar's line before the error is printed
    throw;
  }
  progress.finish(o.tracks);
  return records;
}

}  // namespace

void validate(const SynthOptions& o) {
  const std::string root = o.root.string();
  check(!o.root.empty(), "synth", "", "no output folder");
  check(o.tracks >= 8, "synth", root, "need at least 8 tracks");
  check(o.test_fraction > 0 && o.test_fraction < 1, "synth", root,
        "test fraction must be in (0, 1)");
  check(o.tracks - test_count(o) >= 4, "synth", root,
        "test fraction leaves fewer than 4 training tracks");
  check(o.min_seconds >= 0.1 && o.max_seconds >= o.min_seconds && o.max_seconds <= 3600, "synth",
        root, "invalid length range: need 0.1 <= min-seconds <= max-seconds <= 3600");
  check(o.threads >= 0, "synth", root, "threads must be >= 0");
}

fs::path synth_marker_path(const fs::path& root) { return root / "synth.json"; }

bool is_synth_dataset(const fs::path& root) {
  return fs::is_regular_file(synth_marker_path(root)) &&
         folder_holds_only(root, [](const fs::directory_entry& e) {
           const std::string name = e.path().filename().string();
           return name == "train" || name == "test" || name == "synth.json";
         });
}

namespace {
SynthSummary write_synth_into(const SynthOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  synth::Rng rng(o.seed, 0);
  const Layout layout = make_layout(o, rng);
  const synth::Catalogue catalogue = synth::make_catalogue(o.task, o.tracks, rng);
  for (const Split split : {Split::kTrain, Split::kTest}) {
    fs::create_directories(mel_dir_path(o.root, split));
    fs::create_directories(meta_dir_path(o.root, split));
  }
  std::vector<TrackRecord> records = render_tracks(o, layout, catalogue);
  std::vector<synth::TrackMeta> meta;
  SynthSummary summary;
  for (auto& r : records) {
    summary.audio_seconds += r.seconds;
    meta.push_back(std::move(r.meta));
  }
  synth::write_synth_tables(o, layout.test, layout.style, catalogue, std::move(meta));
  const nlohmann::json marker = {{"generator", "melclass synth"},
                                 {"task", task_info(o.task).name},
                                 {"tracks", o.tracks},
                                 {"seed", o.seed}};
  write_file_atomically(synth_marker_path(o.root),
                        [&](std::ostream& s) { s << marker.dump(2) << "\n"; });
  summary.test_tracks = layout.n_test;
  summary.train_tracks = o.tracks - layout.n_test;
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}
}  // namespace

SynthSummary write_synth_dataset(const SynthOptions& o) {
  validate(o);
  SynthSummary summary;
  // Rendered into a fresh folder and moved into place: no stale tracks or
  // meta files of an earlier dataset at o.root survive.
  write_folder_atomically(
      o.root,
      [&](const fs::path& folder) {
        SynthOptions staged = o;
        staged.root = folder;
        summary = write_synth_into(staged);
      },
      is_synth_dataset);
  return summary;
}

}  // namespace melclass::data
