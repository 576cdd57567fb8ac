#pragma once
// Metadata (text) models: a fastText-style bag of hashed n-gram embeddings
// (Joulin et al. 2017, "Bag of Tricks for Efficient Text Classification") read
// from ModelInput::text_ids / text_offsets (text::Featurizer, text::pack_bags),
// alone or fused with an audio model.

#include <memory>

#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "melclass/models/classifier.h"

namespace melclass::models {

/// EmbeddingBag(text_buckets, text_dim, mean): (ids [N], offsets [B]) -> [B, text_dim].
/// Id 0 is padding (a zero row left out of the mean); an empty bag gives zeros.
/// Rows start uniform in [-1/text_dim, 1/text_dim] (fastText's initialisation).
class TextEncoderImpl : public torch::nn::Module {
 public:
  /// Throws Error("model", "", ...) unless text_buckets >= 2 and text_dim >= 1.
  explicit TextEncoderImpl(const ModelOptions& options);
  torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& offsets);
  /// Checks that input holds a text bag (1-D int64 ids and offsets), then encodes it.
  torch::Tensor forward(const ModelInput& input);

 private:
  torch::nn::EmbeddingBag embedding_{nullptr};
};
TORCH_MODULE(TextEncoder);

/// Text only: TextEncoder -> Dropout -> Linear -> logits [B, n_classes]; with
/// text_dim 0, linear: EmbeddingBag(text_buckets, n_classes) + bias (logistic
/// regression on the mean of the hashed features).
class TextClassifierImpl : public ClassifierImpl {
 public:
  explicit TextClassifierImpl(const ModelOptions& options);
  /// Audio input: throws Error("model", "", "text: needs metadata input").
  torch::Tensor forward(torch::Tensor x) override;
  torch::Tensor forward_input(const ModelInput& input) override;

 private:
  TextEncoder encoder_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear head_{nullptr};
  torch::Tensor bias_;  ///< linear form only
};
TORCH_MODULE(TextClassifier);

/// Late fusion: audio->forward(mel) + text_head(dropout(text_encoder(bag))), both
/// branches trained jointly. The audio model is the submodule "audio" (its
/// parameters are "audio.*" in a checkpoint); the text side is "text_encoder.*",
/// "text_head.*". forward(x) is the audio branch alone.
class AudioTextImpl : public ClassifierImpl {
 public:
  AudioTextImpl(std::shared_ptr<ClassifierImpl> audio, const ModelOptions& options);
  torch::Tensor forward(torch::Tensor x) override;
  torch::Tensor forward_input(const ModelInput& input) override;
  const std::shared_ptr<ClassifierImpl>& audio() const { return audio_; }

 private:
  std::shared_ptr<ClassifierImpl> audio_;
  TextEncoder text_encoder_{nullptr};
  torch::nn::Dropout text_dropout_{nullptr};
  torch::nn::Linear text_head_{nullptr};
};

/// Wraps an audio model into AudioTextImpl (options: n_classes, dropout, text_*).
std::shared_ptr<ClassifierImpl> with_text(std::shared_ptr<ClassifierImpl> audio,
                                          const ModelOptions& options);

ModelSpec text_spec();

}  // namespace melclass::models
