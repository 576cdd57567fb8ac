#pragma once
// Common interface of every melclass model, and the recipe each model brings
// (input preparation and training hyper-parameters) as defaults.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <torch/nn/module.h>

namespace melclass::models {

/// Construction options shared by all models; validated by each model.
struct ModelOptions {
  int64_t n_mels = 128;
  int64_t n_classes = 4;
  double dropout = 0.5;
  int64_t text_buckets = 1 << 17;  ///< hashed text-feature vocabulary (text models)
  int64_t text_dim = 32;           ///< text embedding width (text models)
};

/// One batch of model input. Audio models read `mel`; text models read the
/// bag of hashed text features (text::TextFeaturizer); fusion models read both.
struct ModelInput {
  torch::Tensor mel;           ///< [B, n_mels, T] compressed mel; undefined for text-only data
  torch::Tensor text_ids;      ///< [N] int64: feature ids of all B tracks, concatenated
  torch::Tensor text_offsets;  ///< [B] int64: start of each track's ids in text_ids
};

/// x: [B, n_mels, T] log-compressed mel -> logits [B, n_classes].
class ClassifierImpl : public torch::nn::Module {
 public:
  /// Audio models: x [B, n_mels, T] -> logits [B, n_classes].
  virtual torch::Tensor forward(torch::Tensor x) = 0;
  /// Every model: input -> logits [B, n_classes]. Audio models read input.mel.
  virtual torch::Tensor forward_input(const ModelInput& input) { return forward(input.mel); }
};

/// How a model wants its input cut and how it is trained by default.
struct Recipe {
  std::string compression = "log10_1p10";
  int64_t train_frames = 256;
  std::string train_crop = "random";  ///< "random" | "head" | "center"
  int64_t eval_frames = 0;            ///< 0: the whole track in one pass
  /// "head" | "center" | "random": one window of eval_frames; "chunks": the whole
  /// track cut into overlapping windows of eval_frames, scored and aggregated.
  std::string eval_crop = "head";
  int64_t eval_hop = 0;             ///< "chunks": hop between windows; 0 = eval_frames / 2
  std::string aggregate = "mean";   ///< "chunks": "mean" | "max" | "logit_mean"
  std::string optimizer = "adamw";  ///< "adamw" | "sgd"
  double lr = 1e-3;
  double momentum = 0.9;
  bool nesterov = false;
  double weight_decay = 1e-2;
  int batch_size = 16;
  int epochs = 40;
  /// At least this many optimizer steps: on a small training set the run takes
  /// ceil(min_steps / steps per epoch) epochs when that is more than `epochs`
  /// (0 = off). An explicit `epochs` override without `min_steps` turns it off.
  int64_t min_steps = 0;
  /// Epochs on a multi-label task (mood) instead of `epochs`, when > 0. An
  /// explicit `epochs` override without it turns it off.
  int multi_label_epochs = 0;
  std::string scheduler = "cosine";  ///< "cosine" | "plateau" | "none"
  double plateau_factor = 0.2;
  int plateau_patience = 5;
  double dropout = 0.3;
  bool calibrate = true;  ///< multi-label: fit a logit offset on validation
  int min_tags = 1;       ///< multi-label: always predict at least this many tags
  // Training-batch augmentation (all 0 = off). SpecAugment masks: Park et al.
  // 2019; mixup: Zhang et al. 2018; label smoothing: Szegedy et al. 2016.
  int spec_time_masks = 0;      ///< time masks per example
  int64_t spec_time_width = 0;  ///< max frames per time mask
  int spec_freq_masks = 0;      ///< frequency masks per example
  int64_t spec_freq_width = 0;  ///< max mel bands per frequency mask
  double mixup_alpha = 0;       ///< Beta(alpha, alpha) mixing weight; 0 = off
  double gain_db = 0;           ///< random gain in [-gain_db, gain_db] dB on the power mel
  double label_smoothing = 0;   ///< single-label only
  // Input normalisation and optimisation extras.
  std::string normalize = "none";  ///< "band": per-band mean/std fitted on the training set
  int early_stop = 0;  ///< stop after this many epochs without a better val metric; 0 = off
  std::string select = "best";     ///< checkpoint kept: "best" val metric or "last" epoch
  double ema_decay = 0;            ///< weight EMA decay (e.g. 0.999); 0 = off
  bool balanced = false;           ///< single-label: class-balanced sampling
  std::string loss = "bce";        ///< multi-label: "bce" | "asl" (asymmetric loss)
  bool calibrate_per_tag = false;  ///< multi-label: per-tag logit offsets on validation
  /// Single-label audio tasks: weight of the classic expert (models/classic.h,
  /// fitted on the training tracks after the network) in the mean of the two
  /// experts' probabilities at prediction; 0 = off. Ignored for multi-label.
  double classic_blend = 0;
  double classic_c = 0.1;  ///< the classic expert's inverse L2 strength (scikit-learn's C)
  /// Single-label tasks: at prediction, each track's log-probabilities move this
  /// far toward the mean over the tracks of the same artist in the predicted set
  /// (train/group_pool.h); 0 = off. Ignored for multi-label.
  double artist_pool = 0;
  /// Single-label tasks: at prediction, a track whose artist has labelled
  /// training tracks is multiplied by that artist's Laplace-smoothed label
  /// distribution to this power (train/artist_prior.h); 0 = off. Ignored for
  /// multi-label.
  double artist_prior = 0;
  /// Multi-label tasks: at prediction, a track whose artist has training
  /// tracks gets this share of that artist's tag frequencies mixed into its
  /// calibrated scores (train/artist_prior.h); 0 = off. Ignored for
  /// single-label.
  double artist_tag_mix = 0;
  // Metadata.
  bool use_text = false;  ///< audio models: fuse a text branch (hashed n-grams of the metadata)
  int64_t text_buckets =
      1 << 17;            ///< text-feature hash space (2^18 x 64: same CV accuracy, 5x slower)
  int64_t text_dim = 32;  ///< text embedding width
  /// Metadata keys the text side reads, in this order; empty = every string field.
  std::vector<std::string> text_fields;
};

/// The augmentation the CNN models train with: 2 time masks of <= 40 frames and
/// 2 frequency masks of <= 16 bands (Park et al. 2019), mixup alpha 0.2 (Zhang
/// et al. 2018), gain +-6 dB, label smoothing 0.1 (Szegedy et al. 2016); chosen
/// for tcnet on real4q/station validation accuracy (README, "Figures measured").
void set_default_augmentation(Recipe& recipe);

/// The short-chunk recipe (Won et al. 2020, "Evaluation of CNN-based automatic
/// music tagging models"): log10(1 + 10 x), 256-frame random crops for
/// training, 256-frame chunks every 128 frames at evaluation with their
/// probabilities averaged, AdamW 1e-3 (weight decay 1e-2), batch 16, 40 epochs
/// of cosine decay, dropout 0.5 and set_default_augmentation. Shared by the
/// models trained and applied on short patches (shortres, musicnn).
void set_short_chunk_recipe(Recipe& recipe);

/// What a model reads.
enum class Inputs { kAudio, kText, kAudioText };

struct ModelSpec {
  std::string name;
  Inputs inputs = Inputs::kAudio;
  std::string description;
  std::string reference;  ///< paper or code the architecture follows
  Recipe recipe;
  std::function<std::shared_ptr<ClassifierImpl>(const ModelOptions&)> make;
};

/// Stores the 4-D (Conv2d) weights of `module` channels-last (NHWC strides, same
/// values). Convolutions then produce channels-last activations, which oneDNN's
/// CPU convolutions, BatchNorm, activations and pooling process without layout
/// reorders: a crnn or baseline training step ~1.3x faster on the CPU (bench,
/// docs/benchmarks.md); also the fast layout for cuDNN with bf16.
void use_channels_last(torch::nn::Module& module);

/// Checks ModelOptions; throws Error("model", "", ...) naming `model`.
void validate(const ModelOptions& options, const std::string& model);

}  // namespace melclass::models
