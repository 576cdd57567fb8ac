#pragma once
// Short-chunk CNN with residual blocks (ShortChunkCNN_Res) from Won, Ferraro,
// Bogdanov & Serra 2020, "Evaluation of CNN-based automatic music tagging
// models" (SMC 2020; code: github.com/minzwon/sota-music-tagging-models,
// training/model.py and modules.py Res_2d). The best model of that comparison:
// a VGG-like stack of 2D residual blocks over (frequency, time) on ~3.7 s
// chunks, a global max pool over what is left, and a dense classifier.
//
// Deviations from the paper, for 2 CPU cores:
// - narrower: widths 32,32,64,64,128,128,128 instead of 128,128,256,256,256,
//   256,512 (~1/20 of the multiply-adds), so training runs at tens of samples/s;
// - input BatchNorm per mel band (like tcnet), without affine parameters,
//   instead of one BatchNorm2d(1) over the whole dB spectrogram, since
//   per-band standardisation may or may not have been applied upstream; with
//   no affine parameters the first convolution's backward pass skips the
//   gradient with respect to its input;
// - convolutions without bias (each is followed by BatchNorm);
// - 256-frame chunks of this project's hop 512 (8.2 s) rather than 3.69 s at
//   hop 256: the same 128 x ~256 input grid, so the same receptive field in
//   pixels.
// Downsampling is by stride 2 in the first convolution of each block (and its
// 3x3 shortcut), as in the authors' Res_2d; the paper's text describes it as
// 2x2 pooling, which halves the grid the same way.

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "melclass/models/classifier.h"

namespace melclass::models {

/// Won et al.'s Res_2d: Conv3x3(stride 2) -> BN -> ReLU -> Conv3x3 -> BN, plus
/// a Conv3x3(stride 2) -> BN shortcut, then ReLU.
/// x: [B, Cin, F, T] -> [B, Cout, ceil(F / 2), ceil(T / 2)] (any F, T >= 1).
class ResBlock2dImpl : public torch::nn::Module {
 public:
  ResBlock2dImpl(int64_t in_channels, int64_t out_channels);
  torch::Tensor forward(torch::Tensor x);

 private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, shortcut_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr}, bn_shortcut_{nullptr};
};
TORCH_MODULE(ResBlock2d);

/// Input BN per band (no affine) -> 7 ResBlock2d (32,32,64,64,128,128,128; each halves F
/// and T) -> global max over (F', T') -> Linear(128, 128) -> BN -> ReLU ->
/// Dropout -> Linear(128, C).
/// x: [B, n_mels, T] -> logits [B, C]. Any T >= 1 works (strided convolutions
/// round up, so T' >= 1); the recipe trains and scores 256-frame chunks, and
/// the tests cover T >= 32.
class ShortResImpl : public ClassifierImpl {
 public:
  explicit ShortResImpl(const ModelOptions& options);
  /// x: [B, n_mels, T] -> logits [B, C]
  torch::Tensor forward(torch::Tensor x) override;

 private:
  torch::nn::BatchNorm1d input_norm_{nullptr}, dense_bn_{nullptr};
  torch::nn::ModuleList blocks_{nullptr};
  torch::nn::Linear dense_{nullptr}, head_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(ShortRes);

ModelSpec shortres_spec();

}  // namespace melclass::models
