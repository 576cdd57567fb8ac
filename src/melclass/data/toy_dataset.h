#pragma once
// A small synthetic dataset in the competition layout, generated directly in
// the mel domain. It lets a new user (and the test suite) run the whole
// pipeline without any download. Classes differ by musical-like properties
// (tempo of onsets, harmonic register, spectral tilt, density), drawn from
// overlapping distributions so the task is learnable but not trivial.

#include <cstdint>
#include <filesystem>

#include "melclass/data/task.h"

namespace melclass::data {

struct ToyDatasetOptions {
  std::filesystem::path root;
  Task task = Task::kStation;
  int tracks = 120;          ///< train + test
  double test_fraction = 0.2;
  uint64_t seed = 0;
  int64_t min_frames = 300;  ///< ~10 s at hop 512 / 16 kHz
  int64_t max_frames = 1600; ///< ~51 s
};

/// Writes the dataset under options.root (created if needed). Deterministic
/// for a seed. Throws Error("synth", ...) on invalid options or write errors.
void write_toy_dataset(const ToyDatasetOptions& options);

}  // namespace melclass::data
