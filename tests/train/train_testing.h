#pragma once
// Shared by the train tests: a tiny synthetic dataset and a seconds-long config.

#include <cstdint>
#include <filesystem>

#include "melclass/data/synth.h"
#include "melclass/train/config.h"

namespace melclass::testing {

/// 24 synthetic tracks (4 test), 2-6.4 s each, under `root`.
inline void write_synth(const std::filesystem::path& root, data::Task task = data::Task::kStation,
                        uint64_t seed = 3) {
  data::SynthOptions o;
  o.root = root;
  o.task = task;
  o.tracks = 24;
  o.seed = seed;
  o.min_seconds = 2;  // 63-200 frames
  o.max_seconds = 6.4;
  o.threads = 1;
  data::write_synth_dataset(o);
}

/// tcnet, 64-frame crops, 2 epochs, 1 thread, batch 8, 10% validation.
inline train::TrainConfig tiny_config(const std::filesystem::path& root,
                                      const std::filesystem::path& out, uint64_t seed = 1) {
  auto c = train::resolve_config("tcnet", {{"train_frames", 64},
                                           {"epochs", 2},
                                           {"threads", 1},
                                           {"batch_size", 8},
                                           {"seed", seed},
                                           {"val_fraction", 0.1}});
  c.data_root = root.string();
  c.out = out.string();
  c.verbose = false;
  return c;
}

}  // namespace melclass::testing
