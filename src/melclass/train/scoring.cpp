#include "melclass/train/scoring.h"

#include <algorithm>
#include <random>

#include <torch/nn/functional/activation.h>
#include <torch/types.h>
#include <torch/utils.h>

#include "melclass/core/parallel.h"
#include "melclass/core/runtime.h"
#include "melclass/data/spectrogram.h"
#include "melclass/text/featurizer.h"

namespace melclass::train {
namespace {
data::CropMode crop_mode(const std::string& name) {
  if (name == "random") return data::CropMode::kRandom;
  if (name == "center") return data::CropMode::kCenter;
  return data::CropMode::kHead;
}

at::Tensor activate(const at::Tensor& logits, bool multi_label) {
  return multi_label ? torch::sigmoid(logits) : torch::softmax(logits, 1);
}

// Chunk results [K, C] of one track -> [C].
at::Tensor aggregate(const at::Tensor& logits, const std::string& how, bool multi_label) {
  if (how == "logit_mean") return activate(logits.mean(0, true), multi_label)[0];
  const at::Tensor p = activate(logits, multi_label);
  if (how == "mean") return p.mean(0);
  const at::Tensor m = std::get<0>(p.max(0));
  return multi_label ? m : m / m.sum();
}
}  // namespace

models::ModelInput make_model_input(const std::vector<TrackInput>& batch, c10::Device device) {
  models::ModelInput in;
  if (batch.empty()) return in;
  if (batch.front().mel.defined()) {
    std::vector<at::Tensor> mels;
    for (const auto& t : batch) mels.push_back(t.mel);
    in.mel = torch::stack(mels).to(device);
  }
  // Always packed (cheap), so a text model sees a bag even when every track's is empty.
  std::vector<std::vector<int64_t>> bags;
  for (const auto& t : batch) bags.push_back(t.text);
  auto [ids, offsets] = text::pack_bags(bags);
  in.text_ids = ids.to(device), in.text_offsets = offsets.to(device);
  return in;
}

at::Tensor prepare_input(const at::Tensor& mel, const models::Recipe& r, bool training,
                         std::mt19937_64& rng, double gain, const data::BandStats& norm) {
  // Cut the window first (compression and standardisation are per element), so
  // only the frames used are compressed; padding happens after compression as before.
  const bool window = training || (r.eval_frames > 0 && r.eval_crop != "chunks");
  const int64_t length = training ? r.train_frames : r.eval_frames;
  at::Tensor x = mel;
  if (window && x.size(1) > length)
    x = data::crop_or_pad(x, length, crop_mode(training ? r.train_crop : r.eval_crop), rng);
  x = data::standardize(data::compress(gain == 1.0 ? x : x * gain, r.compression), norm);
  if (training) return data::crop_or_pad(x, r.train_frames, crop_mode(r.train_crop), rng);
  if (r.eval_frames == 0) return x;
  if (r.eval_crop == "chunks")
    return x.size(1) >= r.eval_frames
               ? x
               : data::crop_or_pad(x, r.eval_frames, data::CropMode::kHead, rng);
  return data::crop_or_pad(x, r.eval_frames, crop_mode(r.eval_crop), rng);
}

namespace {
// predict_logits without switching the model to eval mode (the caller has):
// safe to run from several threads at once on one model.
at::Tensor logits_in_eval_mode(models::ClassifierImpl& model, const std::vector<TrackInput>& inputs,
                               c10::Device device, int batch_size) {
  torch::NoGradGuard no_grad;
  auto same_shape = [](const TrackInput& a, const TrackInput& b) {
    return a.mel.defined() == b.mel.defined() &&
           (!a.mel.defined() || a.mel.sizes() == b.mel.sizes());
  };
  std::vector<at::Tensor> out;
  size_t i = 0;
  while (i < inputs.size()) {
    size_t j = i + 1;
    while (j < inputs.size() && j - i < static_cast<size_t>(batch_size) &&
           same_shape(inputs[j], inputs[i]))
      ++j;
    const std::vector<TrackInput> group(inputs.begin() + static_cast<std::ptrdiff_t>(i),
                                        inputs.begin() + static_cast<std::ptrdiff_t>(j));
    // float32 out (a no-op unless under bf16 autocast): aggregation and activations in float32.
    out.push_back(model.forward_input(make_model_input(group, device)).to(at::kFloat).cpu());
    i = j;
  }
  return torch::cat(out);
}
}  // namespace

at::Tensor predict_logits(models::ClassifierImpl& model, const std::vector<TrackInput>& inputs,
                          c10::Device device, int batch_size) {
  model.eval();
  return logits_in_eval_mode(model, inputs, device, batch_size);
}

at::Tensor predict_logits(models::ClassifierImpl& model, const std::vector<at::Tensor>& inputs,
                          c10::Device device, int batch_size) {
  std::vector<TrackInput> tracks;
  for (const auto& x : inputs) tracks.push_back({x, {}, at::Tensor()});
  return predict_logits(model, tracks, device, batch_size);
}

at::Tensor predict_probabilities(models::ClassifierImpl& model,
                                 const std::vector<at::Tensor>& inputs, bool multi_label,
                                 c10::Device device, int batch_size) {
  return activate(predict_logits(model, inputs, device, batch_size), multi_label);
}

std::vector<int64_t> chunk_starts(int64_t length, int64_t frames, int64_t hop) {
  std::vector<int64_t> out{0};
  if (length <= frames) return out;
  hop = std::max<int64_t>(1, hop);
  for (int64_t s = hop; s + frames < length; s += hop) out.push_back(s);
  out.push_back(length - frames);
  return out;
}

namespace {
// predict_tracks for a model already in eval mode (see logits_in_eval_mode).
at::Tensor tracks_in_eval_mode(models::ClassifierImpl& model, const std::vector<TrackInput>& inputs,
                               const models::Recipe& r, bool multi_label, c10::Device device) {
  const bool chunked = r.eval_crop == "chunks" && r.eval_frames > 0;
  if (!chunked || inputs.empty() || !inputs.front().mel.defined())
    return activate(logits_in_eval_mode(model, inputs, device, r.batch_size), multi_label);
  const int64_t hop = r.eval_hop > 0 ? r.eval_hop : std::max<int64_t>(1, r.eval_frames / 2);
  std::vector<TrackInput> windows;  // [F, eval_frames] each, with the track's text
  std::vector<int64_t> count;       // windows per track
  for (const auto& x : inputs) {
    const auto starts = chunk_starts(x.mel.size(1), r.eval_frames, hop);
    for (int64_t s : starts)
      windows.push_back({x.mel.narrow(1, s, r.eval_frames), x.text, at::Tensor()});
    count.push_back(static_cast<int64_t>(starts.size()));
  }
  const at::Tensor logits = logits_in_eval_mode(model, windows, device, r.batch_size);  // [K, C]
  std::vector<at::Tensor> out;
  int64_t offset = 0;
  for (int64_t k : count) {
    out.push_back(aggregate(logits.narrow(0, offset, k), r.aggregate, multi_label));
    offset += k;
  }
  return torch::stack(out);
}
}  // namespace

at::Tensor predict_tracks(models::ClassifierImpl& model, const std::vector<TrackInput>& inputs,
                          const models::Recipe& r, bool multi_label, c10::Device device) {
  model.eval();
  return tracks_in_eval_mode(model, inputs, r, multi_label, device);
}

at::Tensor predict_tracks(models::ClassifierImpl& model, const std::vector<at::Tensor>& inputs,
                          const models::Recipe& r, bool multi_label, c10::Device device) {
  std::vector<TrackInput> tracks;
  for (const auto& x : inputs) tracks.push_back({x, {}, at::Tensor()});
  return predict_tracks(model, tracks, r, multi_label, device);
}

namespace {
// One track's model input (its spectrogram loaded and prepared unless the model is text-only).
TrackInput load_input(const TrackSource& source, const InputSpec& spec, std::mt19937_64& rng) {
  TrackInput in{at::Tensor(), source.text, at::Tensor()};
  if (!spec.audio) return in;
  const at::Tensor mel = data::load_spectrogram(source.file, spec.n_mels);
  if (spec.classic) in.classic = models::classic_features(mel);
  in.mel = prepare_input(mel, spec.recipe, false, rng, 1.0, spec.norm);
  return in;
}

// probs [N, C] of `inputs` (one row per track, in order) -> blended with the
// classic expert's when the spec has one.
at::Tensor blend_classic(const InputSpec& spec, const at::Tensor& probs,
                         const std::vector<TrackInput>& inputs) {
  if (!spec.classic) return probs;
  std::vector<at::Tensor> features;
  for (const auto& in : inputs) features.push_back(in.classic);
  const double w = spec.recipe.classic_blend;
  return (1 - w) * probs + w * spec.classic->probabilities(torch::stack(features));
}

// probs [N, C] of `inputs`, the model already in eval mode: the forward passes
// under the spec's autocast (a guard on the calling thread: autocast state is
// thread-local), the classic expert blended in afterwards, outside it.
at::Tensor score_inputs(models::ClassifierImpl& model, const std::vector<TrackInput>& inputs,
                        const InputSpec& spec, bool multi_label, c10::Device device) {
  at::Tensor probs;
  {
    AutocastGuard autocast(device, spec.bf16);
    probs = tracks_in_eval_mode(model, inputs, spec.recipe, multi_label, device);
  }
  return blend_classic(spec, probs, inputs);
}

// predict_sources with `workers` threads, each taking the next track, loading
// it and running the model on it with one intra-op thread: on a few cores,
// whole-track models (small convolutions, a sequential GRU) use one core per
// track far better than two cores per track. The first error of any worker
// is rethrown.
at::Tensor sources_in_parallel(models::ClassifierImpl& model,
                               const std::vector<TrackSource>& sources, const InputSpec& spec,
                               bool multi_label, c10::Device device, int workers) {
  model.eval();
  std::vector<at::Tensor> out(sources.size());
  ParallelOptions po;
  po.workers = workers;
  parallel_for_each(sources.size(), po, [&](size_t i) {
    std::mt19937_64 rng(0);  // not drawn from: no random evaluation crops on this path
    const std::vector<TrackInput> one{load_input(sources[i], spec, rng)};
    out[i] = score_inputs(model, one, spec, multi_label, device)[0];
  });
  return torch::stack(out);
}
}  // namespace

at::Tensor predict_sources(models::ClassifierImpl& model, const std::vector<TrackSource>& sources,
                           const InputSpec& spec, bool multi_label, c10::Device device,
                           std::mt19937_64& rng, int track_workers) {
  const int workers = static_cast<int>(
      std::min<size_t>(static_cast<size_t>(std::max(1, track_workers)), sources.size()));
  if (workers > 1 && device.is_cpu() && spec.audio && spec.recipe.eval_crop != "random")
    return sources_in_parallel(model, sources, spec, multi_label, device, workers);
  model.eval();
  constexpr size_t kChunk = 64;
  std::vector<at::Tensor> chunks;
  for (size_t start = 0; start < sources.size(); start += kChunk) {
    std::vector<TrackInput> inputs;
    for (size_t i = start; i < std::min(sources.size(), start + kChunk); ++i)
      inputs.push_back(load_input(sources[i], spec, rng));
    chunks.push_back(score_inputs(model, inputs, spec, multi_label, device));
  }
  return torch::cat(chunks);
}

}  // namespace melclass::train
