#pragma once
// Turning spectrograms into model input and model output into probabilities;
// shared by validation during training and by `predict`.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <vector>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include "melclass/data/normalization.h"
#include "melclass/models/classic.h"
#include "melclass/models/classifier.h"

namespace melclass::train {

/// One track's prepared model input: mel [F, L] (undefined for text-only
/// models) and its hashed text features (empty for audio-only models).
struct TrackInput {
  at::Tensor mel;
  std::vector<int64_t> text;
  at::Tensor classic;  ///< [2F] classic_features of the raw mel, when the spec has a classic expert
};

/// Where one track's input comes from: a spectrogram (or audio) file, empty
/// for text-only models, and its text features.
struct TrackSource {
  std::filesystem::path file;
  std::vector<int64_t> text;
};

/// How a run turns tracks into model input (saved in the run: the recipe in
/// config.json, the band statistics in input_norm.json).
struct InputSpec {
  int64_t n_mels = 128;
  models::Recipe recipe;
  data::BandStats norm;  ///< empty: no per-band standardisation
  bool audio = true;     ///< false: text-only model, no spectrograms read
  /// The run's classic expert (classic.json), blended into predict_sources'
  /// probabilities with weight recipe.classic_blend; null: the network alone.
  std::shared_ptr<const models::ClassicLinear> classic;
  /// predict_sources: forward passes under bf16 autocast (AutocastGuard; the
  /// classic expert and the aggregation stay in float32/float64).
  bool bf16 = false;
};

/// Packs a batch: mel [B, F, L] stacked (when defined) and the text bags
/// (always, possibly empty).
models::ModelInput make_model_input(const std::vector<TrackInput>& batch, c10::Device device);

/// mel [F, T] power -> scaled by `gain` (linear power factor, for random-gain
/// augmentation), compressed and cut per the recipe: [F, train_frames] when
/// training; otherwise [F, eval_frames], or the whole [F, T] when
/// eval_frames == 0 or eval_crop == "chunks" (padded to at least eval_frames).
/// With `norm` non-empty, bands are standardised after compression and before cutting.
at::Tensor prepare_input(const at::Tensor& mel, const models::Recipe& recipe, bool training,
                         std::mt19937_64& rng, double gain = 1.0,
                         const data::BandStats& norm = data::BandStats{});

/// inputs: prepared [F, L_i] tensors -> logits [N, C] on the CPU. Consecutive
/// inputs of equal length are batched up to `batch_size`. Eval mode, no grad.
at::Tensor predict_logits(models::ClassifierImpl& model, const std::vector<at::Tensor>& inputs,
                          c10::Device device, int batch_size);
at::Tensor predict_logits(models::ClassifierImpl& model, const std::vector<TrackInput>& inputs,
                          c10::Device device, int batch_size);

/// inputs: prepared [F, L_i] tensors -> probabilities [N, C] on the CPU
/// (softmax for single-label, sigmoid for multi-label). Consecutive inputs of
/// equal length are batched up to `batch_size`. Runs in eval mode, no grad.
at::Tensor predict_probabilities(models::ClassifierImpl& model,
                                 const std::vector<at::Tensor>& inputs, bool multi_label,
                                 c10::Device device, int batch_size);

/// Start frames of the windows of `frames` with hop `hop` covering [0, length):
/// 0, hop, 2 hop, ... and a last window aligned to the end (length - frames);
/// {0} when length <= frames.
std::vector<int64_t> chunk_starts(int64_t length, int64_t frames, int64_t hop);

/// Per-track probabilities [N, C] for inputs prepared by prepare_input. With
/// eval_crop == "chunks" and eval_frames > 0, each track is cut into windows
/// (chunk_starts with eval_hop, 0 = eval_frames / 2), all windows are scored in
/// batches of batch_size, and per track: "mean" averages probabilities, "max"
/// takes the per-class maximum (renormalised to sum 1 for single-label),
/// "logit_mean" averages logits before softmax/sigmoid. Otherwise the same as
/// predict_probabilities.
at::Tensor predict_tracks(models::ClassifierImpl& model, const std::vector<TrackInput>& inputs,
                          const models::Recipe& recipe, bool multi_label, c10::Device device);
at::Tensor predict_tracks(models::ClassifierImpl& model, const std::vector<at::Tensor>& inputs,
                          const models::Recipe& recipe, bool multi_label, c10::Device device);

/// Track sources -> probabilities [N, C] (predict_tracks on prepare_input of
/// each loaded spectrogram, with its text features), loading 64 tracks at a
/// time so memory grows with that chunk, not with the list. Shared by
/// validation, cross-validation and predict. With track_workers > 1 on the CPU
/// (audio models whose evaluation crop is not random), that many threads each
/// load and score one track at a time with one intra-op thread (memory grows
/// with the workers); the probabilities are the same up to float rounding.
/// With spec.classic: (1 - w) p_network + w p_classic, w = recipe.classic_blend.
at::Tensor predict_sources(models::ClassifierImpl& model, const std::vector<TrackSource>& sources,
                           const InputSpec& spec, bool multi_label, c10::Device device,
                           std::mt19937_64& rng, int track_workers = 1);

}  // namespace melclass::train
