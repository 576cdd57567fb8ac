#include "melclass/models/registry.h"

#include <map>

#include "melclass/core/error.h"
#include "melclass/models/baseline.h"
#include "melclass/models/crnn.h"
#include "melclass/models/musicnn.h"
#include "melclass/models/short_res.h"
#include "melclass/models/stats.h"
#include "melclass/models/tcnet.h"
#include "melclass/models/text_model.h"

namespace melclass::models {
namespace {

const std::map<std::string, ModelSpec>& registry() {
  static const std::map<std::string, ModelSpec> kModels = [] {
    std::map<std::string, ModelSpec> m;
    m.emplace("baseline", baseline_spec());
    m.emplace("crnn", crnn_spec());
    m.emplace("musicnn", musicnn_spec());
    m.emplace("shortres", shortres_spec());
    m.emplace("stats", stats_spec());
    m.emplace("stats_ext", stats_ext_spec());
    m.emplace("tcnet", tcnet_spec());
    m.emplace("text", text_spec());
    return m;
  }();
  return kModels;
}

}  // namespace

void set_default_augmentation(Recipe& r) {
  r.spec_time_masks = 2;
  r.spec_time_width = 40;
  r.spec_freq_masks = 2;
  r.spec_freq_width = 16;
  r.mixup_alpha = 0.2;
  r.gain_db = 6;
  r.label_smoothing = 0.1;
}

void set_short_chunk_recipe(Recipe& r) {
  r.compression = "log10_1p10";
  r.train_frames = 256;
  r.train_crop = "random";
  r.eval_frames = 256;
  r.eval_crop = "chunks";
  r.eval_hop = 128;
  r.aggregate = "mean";
  r.optimizer = "adamw";
  r.lr = 1e-3;
  r.weight_decay = 1e-2;
  r.batch_size = 16;
  r.epochs = 40;
  r.scheduler = "cosine";
  r.dropout = 0.5;
  set_default_augmentation(r);
}

void use_channels_last(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  // empty_like + copy_ rather than contiguous(ChannelsLast): a weight with one
  // input channel ([C, 1, k, k]) already counts as channels-last-contiguous, so
  // contiguous() would keep its NCHW strides, and oneDNN would run the first
  // convolution (the largest activations) in NCHW and reorder after it.
  for (auto& p : module.parameters())
    if (p.dim() == 4)
      p.set_data(torch::empty_like(p, p.options(), at::MemoryFormat::ChannelsLast).copy_(p));
}

void validate(const ModelOptions& o, const std::string& model) {
  check(o.n_mels > 0, "model", "", model + ": n_mels must be positive");
  check(o.n_classes > 0, "model", "", model + ": n_classes must be positive");
  check(o.dropout >= 0.0 && o.dropout < 1.0, "model", "", model + ": dropout must be in [0, 1)");
}

const ModelSpec& model_spec(const std::string& name) {
  auto it = registry().find(name);
  if (it != registry().end()) return it->second;
  std::string known;
  for (const auto& n : model_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error("model", "", "unknown model '" + name + "' (known: " + known + ")");
}

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const auto& [name, spec] : registry()) names.push_back(name);
  return names;
}

std::shared_ptr<ClassifierImpl> make_model(const std::string& name, const ModelOptions& options) {
  return model_spec(name).make(options);
}

}  // namespace melclass::models
