#pragma once
// The classic expert of a run (models/classic.h): fitted on the training
// tracks once the network is trained, stored as RUN/classic.json, blended into
// the network's probabilities at prediction (InputSpec::classic).

#include <cstdint>
#include <filesystem>
#include <vector>

#include "melclass/models/classic.h"
#include "melclass/train/config.h"
#include "melclass/train/scoring.h"

namespace melclass::train {

/// Whether a run fits the classic expert: recipe.classic_blend > 0, a model
/// that reads audio, a single-label task.
bool fits_classic(const TrainConfig& config, bool multi_label);

/// Loads the spectrograms of sources[idx] (on `workers` threads, one LibTorch
/// thread each), fits models::fit_classic_linear on their classic_features
/// with labels[k] the class of sources[idx[k]], and writes `file` atomically.
/// Throws Error("spectrogram", path, ...) for an unreadable file.
void fit_classic_expert(const std::filesystem::path& file, const std::vector<TrackSource>& sources,
                        const std::vector<size_t>& idx, const std::vector<int64_t>& labels,
                        int64_t n_classes, int64_t n_mels, double c, int workers);

/// Reads a classic.json. Throws Error("model" | "run", file, ...) when broken.
models::ClassicLinear load_classic(const std::filesystem::path& file);

}  // namespace melclass::train
