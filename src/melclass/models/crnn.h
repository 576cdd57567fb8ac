#pragma once
// Convolutional-recurrent network with attention pooling. The CRNN of Choi,
// Fazekas, Sandler & Cho 2017, "Convolutional recurrent neural networks for
// music classification" (ICASSP): a small 2D CNN that pools frequency away and
// time down, then a recurrent layer that summarises the frame sequence. Its
// last-state summary is replaced by attention pooling over time (a softmax
// over frames of a learned score, then the weighted mean of the GRU outputs),
// as in the attention models of Kong et al. 2019, "Weakly labelled AudioSet
// tagging with attention neural networks" (IEEE/ACM TASLP), so the model reads
// crops and whole tracks alike and can weigh the informative parts of a track.
//
// Deviations from Choi et al., for 2 CPU cores unless said otherwise:
// - channels 16/32/64/128 instead of 64/128/128/128;
// - the first block downsamples by a stride-2 convolution instead of a
//   full-resolution convolution then a 2x2 pool, and the next pools are
//   (2,2),(4,2),(4,2) over (frequency, time) instead of (3,3),(4,4),(4,4):
//   one GRU step per 16 frames (0.5 s) rather than per ~2 s, so 256-frame
//   training crops still give 16 steps to attend over;
// - BatchNorm -> ELU as theirs, but no dropout between conv blocks;
// - one bidirectional GRU of 64 units per direction instead of two
//   unidirectional GRUs of 32 (the brief's bidirectional summary);
// - input BatchNorm per mel band without affine parameters (like tcnet, but
//   no input gradient needed) instead of one over the frequency axis; the
//   remaining frequency positions are max-pooled so any n_mels works.

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/rnn.h>
#include <torch/nn/pimpl.h>

#include "melclass/models/classifier.h"

namespace melclass::models {

/// Input BN per band (no affine) -> 4 x [Conv2d 3x3 -> BN -> ELU -> MaxPool
/// (ceil mode)] (16, 32, 64, 128 channels; stride 2 in the first conv, then
/// pools (2,2),(4,2),(4,2) over (frequency, time)) -> max over the
/// remaining frequency -> [B, T', 128] with T' = ceil(T / 16) -> BiGRU(64)
/// [B, T', 128] -> attention weights softmax_t(w . h_t) [B, T'] ->
/// weighted sum [B, 128] -> Dropout -> Linear(128, C).
/// x: [B, n_mels, T] -> logits [B, C]; any T >= 1 (ceil-mode pooling keeps
/// T' >= 1); the recipe trains on 256-frame crops and scores whole tracks, the
/// tests cover T >= 32.
class CrnnImpl : public ClassifierImpl {
 public:
  explicit CrnnImpl(const ModelOptions& options);
  /// x: [B, n_mels, T] -> logits [B, C]
  torch::Tensor forward(torch::Tensor x) override;
  /// Attention weights over the GRU steps: x [B, n_mels, T] -> [B, T'], rows sum to 1.
  torch::Tensor attention(torch::Tensor x);

 private:
  /// x: [B, n_mels, T] -> GRU outputs [B, T', 128]
  torch::Tensor sequence(torch::Tensor x);

  torch::nn::BatchNorm1d input_norm_{nullptr};
  torch::nn::ModuleList convs_{nullptr}, bns_{nullptr};
  torch::nn::GRU gru_{nullptr};
  torch::nn::Linear score_{nullptr}, head_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(Crnn);

ModelSpec crnn_spec();

}  // namespace melclass::models
