// train::pool_by_group against a plain double-precision evaluation of its
// formula (weighted geometric mean over an artist's tracks, renormalised).

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "melclass/core/error.h"
#include "melclass/train/group_pool.h"

using melclass::train::pool_by_group;

namespace {

const std::vector<std::vector<double>> kProbs = {
    {0.7, 0.1, 0.1, 0.1}, {0.25, 0.25, 0.25, 0.25}, {0.1, 0.6, 0.2, 0.1}, {0.4, 0.3, 0.2, 0.1}};
const std::vector<std::string> kGroups = {"artist:a", "track:1", "artist:a", "artist:b"};

torch::Tensor to_tensor(const std::vector<std::vector<double>>& rows) {
  auto t = torch::empty({static_cast<int64_t>(rows.size()), 4}, torch::kDouble);
  for (size_t i = 0; i < rows.size(); ++i)
    for (size_t c = 0; c < 4; ++c) t[static_cast<int64_t>(i)][static_cast<int64_t>(c)] = rows[i][c];
  return t;
}

// Row i pooled with the rows in `members` (its group), weight w.
std::vector<double> reference(size_t i, const std::vector<size_t>& members, double w) {
  std::vector<double> q(4);
  double sum = 0;
  for (size_t c = 0; c < 4; ++c) {
    double mean = 0;
    for (size_t j : members) mean += std::log(kProbs[j][c]) / members.size();
    q[c] = std::exp((1 - w) * std::log(kProbs[i][c]) + w * mean);
    sum += q[c];
  }
  for (auto& v : q) v /= sum;
  return q;
}

}  // namespace

TEST(GroupPool, WeightedGeometricMeanWithinEachArtist) {
  const auto p = to_tensor(kProbs);
  for (double w : {0.25, 0.75, 1.0}) {
    const auto q = pool_by_group(p, kGroups, w);
    ASSERT_EQ(q.sizes(), p.sizes());
    const std::vector<std::vector<double>> want = {reference(0, {0, 2}, w), kProbs[1],
                                                   reference(2, {0, 2}, w), kProbs[3]};
    for (int64_t i = 0; i < 4; ++i)
      for (int64_t c = 0; c < 4; ++c)
        EXPECT_NEAR(q[i][c].item<double>(), want[i][c], 1e-12) << "w " << w << " row " << i;
  }
  // Full weight: one artist, one answer (track 2 flips from class 1 to class 0).
  const auto q1 = pool_by_group(p, kGroups, 1.0);
  EXPECT_TRUE(torch::allclose(q1[0], q1[2]));
  EXPECT_EQ(q1[2].argmax().item<int64_t>(), 0);
  EXPECT_EQ(p[2].argmax().item<int64_t>(), 1);
}

TEST(GroupPool, OffSingletonsAndDtype) {
  const auto p = to_tensor(kProbs).to(torch::kFloat);
  EXPECT_TRUE(torch::equal(pool_by_group(p, kGroups, 0), p));
  const auto q = pool_by_group(p, {"artist:a", "artist:b", "track:2", "artist:c"}, 0.75);
  EXPECT_EQ(q.scalar_type(), torch::kFloat);
  EXPECT_TRUE(torch::allclose(q, p, 1e-6, 1e-6));  // no artist has two tracks
}

TEST(GroupPool, ZeroProbabilitiesStayFinite) {
  const auto p = torch::tensor({{1.0, 0.0}, {0.0, 1.0}}, torch::kDouble);
  const auto q = pool_by_group(p, {"artist:x", "artist:x"}, 0.5);
  EXPECT_TRUE(torch::isfinite(q).all().item<bool>());
  EXPECT_TRUE(torch::allclose(q.sum(1), torch::ones({2}, torch::kDouble)));
}

TEST(GroupPool, Errors) {
  const auto p = to_tensor(kProbs);
  EXPECT_THROW(pool_by_group(p, {"artist:a"}, 0.5), melclass::Error);
  EXPECT_THROW(pool_by_group(p, kGroups, 1.5), melclass::Error);
  EXPECT_THROW(pool_by_group(p, kGroups, -0.1), melclass::Error);
}
