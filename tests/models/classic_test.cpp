// models: the classic expert (features + exactly fitted logistic regression),
// against scikit-learn / NumPy (tests/fixtures/classic/make_fixture.py).

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "melclass/core/error.h"
#include "melclass/models/classic.h"

using namespace melclass::models;
namespace fs = std::filesystem;

namespace {

nlohmann::json fixture() {
  std::ifstream f(fs::path(MELCLASS_FIXTURES) / "classic" / "logreg.json");
  return nlohmann::json::parse(f);
}

at::Tensor matrix(const nlohmann::json& rows) {
  std::vector<double> flat;
  for (const auto& r : rows)
    for (const auto& v : r) flat.push_back(v.get<double>());
  return torch::tensor(flat, torch::kDouble).view({static_cast<int64_t>(rows.size()), -1});
}

}  // namespace

TEST(ClassicExpert, FeaturesEqualNumpy) {
  const auto j = fixture()["features"];
  const at::Tensor got = classic_features(matrix(j["mel"]).to(torch::kFloat));
  const at::Tensor want = torch::tensor(j["expected"].get<std::vector<double>>(), torch::kDouble);
  ASSERT_EQ(got.sizes(), want.sizes());
  // The mel is rounded to float32 on the way in; dB values move by < 1e-5.
  EXPECT_TRUE(torch::allclose(got, want, 0, 1e-4)) << got << want;
}

TEST(ClassicExpert, FitEqualsScikitLearn) {
  const auto j = fixture()["logreg"];
  const at::Tensor x = matrix(j["x"]);
  const at::Tensor y = torch::tensor(j["y"].get<std::vector<int64_t>>(), torch::kLong);
  ClassicLinearOptions o;
  o.c = j["c"].get<double>();
  const ClassicLinear m = fit_classic_linear(x, y, 3, o);
  // The penalised weights are unique; the unpenalised intercepts only up to a
  // common shift, so compare probabilities rather than biases.
  EXPECT_LT((m.weight - matrix(j["coef"])).abs().max().item<double>(), 1e-5);
  EXPECT_LT((m.probabilities(x).to(torch::kDouble) - matrix(j["probs"])).abs().max().item<double>(),
            1e-5);
  EXPECT_DOUBLE_EQ(m.scale[4].item<double>(), 1.0);  // the constant feature
}

TEST(ClassicExpert, JsonRoundTripAndChecks) {
  const auto j = fixture()["logreg"];
  const at::Tensor x = matrix(j["x"]);
  const ClassicLinear m =
      fit_classic_linear(x, torch::tensor(j["y"].get<std::vector<int64_t>>(), torch::kLong), 3);
  const ClassicLinear back = ClassicLinear::from_json(m.to_json(), "classic.json");
  EXPECT_TRUE(torch::equal(back.probabilities(x), m.probabilities(x)));
  auto broken = m.to_json();
  broken["bias"] = {0.0, 1.0};  // 2 classes against 3 weight rows
  EXPECT_THROW(ClassicLinear::from_json(broken, "classic.json"), melclass::Error);
  broken = m.to_json();
  broken["weight"][1] = {1.0};
  EXPECT_THROW(ClassicLinear::from_json(broken, "classic.json"), melclass::Error);
  broken.erase("mean");
  EXPECT_THROW(ClassicLinear::from_json(broken, "classic.json"), melclass::Error);
  EXPECT_THROW(m.probabilities(torch::zeros({2, 5}, torch::kDouble)), melclass::Error);
}

TEST(ClassicExpert, RejectsBadInput) {
  const at::Tensor x = torch::randn({10, 4}, torch::kDouble);
  EXPECT_THROW(fit_classic_linear(x, torch::full({10}, 3, torch::kLong), 3), melclass::Error);
  EXPECT_THROW(fit_classic_linear(x, torch::zeros({9}, torch::kLong), 3), melclass::Error);
  EXPECT_THROW(classic_features(torch::zeros({128, 0})), melclass::Error);
}
