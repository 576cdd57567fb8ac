#include "melclass/models/classic.h"

#include <vector>

#include <torch/nn/functional/loss.h>
#include <torch/optim/lbfgs.h>
#include <torch/types.h>

#include "melclass/core/error.h"

namespace melclass::models {
namespace F = torch::nn::functional;

namespace {

nlohmann::json to_list(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kDouble).contiguous();
  const double* p = c.data_ptr<double>();
  if (c.dim() == 1) return std::vector<double>(p, p + c.numel());
  nlohmann::json rows = nlohmann::json::array();
  for (int64_t r = 0; r < c.size(0); ++r)
    rows.push_back(std::vector<double>(p + r * c.size(1), p + (r + 1) * c.size(1)));
  return rows;
}

// j[key]: a list of numbers -> [n], or a list of equal-length rows -> [rows, n].
at::Tensor from_list(const nlohmann::json& j, const char* key, const std::string& source) {
  const std::string what = std::string("classic: '") + key + "' ";
  check(j.contains(key) && j[key].is_array() && !j[key].empty(), "model", source,
        what + "missing or empty");
  const auto& list = j[key];
  if (!list.front().is_array())
    return torch::tensor(list.get<std::vector<double>>(), torch::kDouble);
  std::vector<double> flat;
  for (const auto& row : list) {
    check(row.is_array() && row.size() == list.front().size(), "model", source,
          what + "rows differ in length");
    for (const auto& v : row) flat.push_back(v.get<double>());
  }
  const auto rows = static_cast<int64_t>(list.size());
  return torch::tensor(flat, torch::kDouble).view({rows, static_cast<int64_t>(flat.size()) / rows});
}

}  // namespace

at::Tensor classic_features(const at::Tensor& mel) {
  check(mel.dim() == 2 && mel.size(1) >= 1, "model", "",
        "classic: expected a mel [F, T] with T >= 1");
  const at::Tensor db = 10.0 * torch::log10(mel.to(at::kDouble).clamp_min(1e-10));
  const at::Tensor mean = db.mean(1);
  const at::Tensor std = (db - mean.unsqueeze(1)).square().mean(1).sqrt();
  return torch::cat({mean, std});
}

at::Tensor ClassicLinear::probabilities(const at::Tensor& features) const {
  check(features.dim() == 2 && features.size(1) == mean.size(0), "model", "",
        "classic: features must be [N, " + std::to_string(mean.size(0)) + "]");
  const at::Tensor z = (features.to(at::kDouble) - mean) / scale;
  return torch::softmax(torch::addmm(bias, z, weight.t()), 1).to(at::kFloat);
}

nlohmann::json ClassicLinear::to_json() const {
  return {{"features", "dB mel per-band mean, std"},
          {"mean", to_list(mean)},
          {"scale", to_list(scale)},
          {"weight", to_list(weight)},
          {"bias", to_list(bias)}};
}

ClassicLinear ClassicLinear::from_json(const nlohmann::json& j, const std::string& source) {
  check(j.is_object(), "model", source, "classic: expected a JSON object");
  ClassicLinear m;
  try {
    m.mean = from_list(j, "mean", source), m.scale = from_list(j, "scale", source);
    m.weight = from_list(j, "weight", source), m.bias = from_list(j, "bias", source);
  } catch (const nlohmann::json::exception&) {
    throw Error("model", source, "classic: non-numeric value");
  }
  const int64_t d = m.mean.numel();
  check(m.mean.dim() == 1 && m.scale.dim() == 1 && m.scale.numel() == d && m.weight.dim() == 2 &&
            m.weight.size(1) == d && m.bias.dim() == 1 && m.bias.numel() == m.weight.size(0) &&
            m.bias.numel() >= 2 && (m.scale > 0).all().item<bool>(),
        "model", source, "classic: inconsistent sizes (mean/scale [D], weight [C, D], bias [C])");
  return m;
}

ClassicLinear fit_classic_linear(const at::Tensor& features, const at::Tensor& labels,
                                 int64_t n_classes, const ClassicLinearOptions& options) {
  check(options.c > 0 && options.max_iter >= 1, "model", "",
        "classic: c must be > 0, max_iter >= 1");
  check(features.dim() == 2 && features.size(0) >= 2 && labels.dim() == 1 &&
            labels.size(0) == features.size(0) && n_classes >= 2,
        "model", "", "classic: expected features [N >= 2, D], labels [N], >= 2 classes");
  check(labels.min().item<int64_t>() >= 0 && labels.max().item<int64_t>() < n_classes, "model", "",
        "classic: label index out of range");
  ClassicLinear m;
  const at::Tensor x = features.to(at::kDouble);
  m.mean = x.mean(0);
  const at::Tensor std = (x - m.mean).square().mean(0).sqrt();
  m.scale = torch::where(std > 0, std, torch::ones_like(std));
  const at::Tensor z = (x - m.mean) / m.scale;
  const at::Tensor y = labels.to(at::kLong);
  at::Tensor w = torch::zeros({n_classes, x.size(1)}, torch::kDouble).requires_grad_();
  at::Tensor b = torch::zeros({n_classes}, torch::kDouble).requires_grad_();
  torch::optim::LBFGS lbfgs({w, b}, torch::optim::LBFGSOptions(1.0)
                                        .max_iter(options.max_iter)
                                        .max_eval(options.max_iter * 5 / 4)
                                        .history_size(20)
                                        .tolerance_grad(1e-9)
                                        .tolerance_change(1e-14)
                                        .line_search_fn("strong_wolfe"));
  const double l2 = 0.5 / options.c;
  lbfgs.step([&] {
    lbfgs.zero_grad();
    const at::Tensor loss = F::cross_entropy(torch::addmm(b, z, w.t()), y,
                                             F::CrossEntropyFuncOptions().reduction(torch::kSum)) +
                            l2 * w.square().sum();
    loss.backward();
    return loss;
  });
  m.weight = w.detach().clone(), m.bias = b.detach().clone();
  return m;
}

}  // namespace melclass::models
