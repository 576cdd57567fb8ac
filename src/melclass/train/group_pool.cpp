#include "melclass/train/group_pool.h"

#include <unordered_map>

#include <ATen/ATen.h>

#include "melclass/core/error.h"

namespace melclass::train {

at::Tensor pool_by_group(const at::Tensor& probs, const std::vector<std::string>& groups,
                         double weight) {
  check(probs.dim() == 2 && probs.size(0) == static_cast<int64_t>(groups.size()), "predict", "",
        "artist pooling: one group per track needed");
  check(weight >= 0 && weight <= 1, "predict", "", "artist_pool must be in [0, 1]");
  if (weight == 0 || groups.empty()) return probs;
  const at::Tensor logp = probs.to(at::kDouble).clamp_min(1e-12).log();
  std::unordered_map<std::string, std::vector<int64_t>> members;
  for (size_t i = 0; i < groups.size(); ++i)
    if (groups[i].rfind("track:", 0) != 0) members[groups[i]].push_back(static_cast<int64_t>(i));
  at::Tensor pooled = logp.clone();
  for (const auto& [key, rows] : members) {
    if (rows.size() < 2) continue;
    const at::Tensor idx = at::tensor(rows, at::kLong);
    const at::Tensor own = logp.index_select(0, idx);
    pooled.index_copy_(0, idx, own * (1 - weight) + own.mean(0, /*keepdim=*/true) * weight);
  }
  return pooled.softmax(1).to(probs.scalar_type());
}

}  // namespace melclass::train
