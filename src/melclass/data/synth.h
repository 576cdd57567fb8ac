#pragma once
// A synthetic dataset in the competition layout, rendered as audio and passed
// through the same mel frontend as `extract` (audio/mel.h), so that a new
// user (and the test suite) can run the whole pipeline without any download.
//
// Classes (stations Q1-Q4, or the rush6 genres 가요곡/엔카, R&B, 레게, J-ROCK)
// are carried by musical properties, each class a distribution over them:
// tempo, mode, instrument timbre and envelopes, arrangement density, drum
// patterns, loudness, dynamics and spectral balance (data/synth_plan.h).
// Distributions overlap, so the task is learnable but not trivial. Mood tags
// (100, 1-5 per track) follow the same parameters, with noise; titles and
// artist/album names correlate with the label imperfectly.
//
// Layout written under `root`:
//   train/train_label                                   labels (+ title, artists, album for genre)
//   train/train_data/mel_spectrogram/<id>.npy           float32 [1, 128, T] power mel
//   train/train_data/meta/{track,artist,album}_meta.json  all tracks (shared metadata)
//   test/test_data/mel_spectrogram/<id>.npy
//   test/test_data/meta/q{1,2,3}_test.json              test order + metadata columns
//   test/test_label                                     answers
//
// Deterministic: every track has its own generator seeded from (seed, track
// position), so the bytes written do not depend on the thread count.

#include <cstdint>
#include <filesystem>

#include "melclass/data/task.h"

namespace melclass::data {

struct SynthOptions {
  std::filesystem::path root;
  Task task = Task::kStation;
  int tracks = 120;            ///< train + test, >= 8
  double test_fraction = 0.2;  ///< test part: max(4, floor(tracks * test_fraction))
  uint64_t seed = 0;
  double min_seconds = 20;  ///< track lengths, drawn in [min, max] (skewed to short)
  double max_seconds = 360;
  int threads = 0;        ///< worker threads; 0 = all cores
  bool progress = false;  ///< progress bar on stderr (only when it is a terminal)
};

/// Throws Error("synth", root, ...) for invalid options.
void validate(const SynthOptions& options);

struct SynthSummary {
  int train_tracks = 0, test_tracks = 0;
  double audio_seconds = 0;  ///< total length of the rendered audio
  double seconds = 0;        ///< wall time
};

/// ROOT/synth.json, the marker synth writes beside train/ and test/.
std::filesystem::path synth_marker_path(const std::filesystem::path& root);

/// Whether `root` is a dataset synth wrote and nothing else: synth.json, train/
/// and test/ only (runs or other files inside make it not replaceable).
bool is_synth_dataset(const std::filesystem::path& root);

/// Writes the dataset under options.root, one track at a time per worker
/// (render -> mel -> .npy, then freed), so memory stays bounded for any number
/// of tracks. The dataset is rendered into a hidden sibling folder and moved to
/// options.root when complete, replacing an earlier synthetic dataset there
/// (is_synth_dataset; any other non-empty folder, a real dataset included, is
/// refused). ROOT/synth.json records the generator, task, tracks and seed. Throws
/// Error("synth", ...) on invalid options or write errors; options.root is
/// left as it was then.
SynthSummary write_synth_dataset(const SynthOptions& options);

}  // namespace melclass::data
