// train calibration: multi-label logit offset and the at-least-k-tags rule.

#include <cmath>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/testing.h"
#include "melclass/train/calibration.h"

using namespace melclass;
using melclass::testing::TempDir;
using melclass::testing::write_text;
using Tags = std::vector<std::vector<int64_t>>;

TEST(Calibration, ApplyOffset) {
  const auto p = torch::tensor({0.5f, 0.25f, 0.9f});
  EXPECT_TRUE(torch::equal(train::apply_calibration(p, {0.0, 0, {}}), p));
  // logit(0.5) = 0 -> sigmoid(log 3) = 3/4; logit(0.25) = -log 3 -> sigmoid(0) = 1/2.
  const auto q = train::apply_calibration(p, {std::log(3.0), 0, {}});
  EXPECT_NEAR(q[0].item<float>(), 0.75f, 1e-5);
  EXPECT_NEAR(q[1].item<float>(), 0.5f, 1e-5);
  EXPECT_GT(q[2].item<float>(), 0.9f);
}

TEST(Calibration, DecideTagsWithMinimum) {
  const auto p = torch::tensor({0.6f, 0.2f, 0.55f, 0.1f, 0.3f, 0.2f}).reshape({2, 3});
  EXPECT_EQ(train::decide_tags(p, 0), (Tags{{0, 2}, {}}));
  EXPECT_EQ(train::decide_tags(p, 1), (Tags{{0, 2}, {1}}));
  EXPECT_EQ(train::decide_tags(p, 2), (Tags{{0, 2}, {1, 2}}));
  EXPECT_EQ(train::decide_tags(p, 9), (Tags{{0, 1, 2}, {0, 1, 2}}));  // capped at C
}

TEST(Calibration, MicroF1) {
  // Decided {0, 2}, {1} against truth {0}, {1, 2}: tp 2, predicted 3, actual 3 -> 4/6.
  const auto y = torch::tensor({1.f, 0.f, 0.f, 0.f, 1.f, 1.f}).reshape({2, 3});
  EXPECT_DOUBLE_EQ(train::micro_f1({{0, 2}, {1}}, y), 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(train::micro_f1({{}, {}}, torch::zeros({2, 3})), 0.0);
}

TEST(Calibration, FitFindsSmallestOffsetThatSeparates) {
  // Right tags at p = 0.3, wrong ones at 0.1: at offset 0 nothing passes 0.5.
  // logit(0.3) = -0.847, logit(0.1) = -2.197: offsets in [0.85, 2.15] give
  // micro-F1 1; the smallest on the 0.05 grid is 0.85.
  const auto p = torch::tensor({0.3f, 0.1f, 0.1f, 0.3f}).reshape({2, 2});
  const auto y = torch::tensor({1.f, 0.f, 0.f, 1.f}).reshape({2, 2});
  const train::Calibration c = train::fit_calibration(p, y, 0);
  EXPECT_NEAR(c.logit_offset, 0.85, 1e-9);
  EXPECT_EQ(c.min_tags, 0);
  EXPECT_DOUBLE_EQ(train::micro_f1(train::decide_tags(train::apply_calibration(p, c), 0), y), 1.0);
  // Already perfect at 0.5: offset stays 0.
  const auto good = torch::tensor({0.9f, 0.1f, 0.1f, 0.9f}).reshape({2, 2});
  EXPECT_DOUBLE_EQ(train::fit_calibration(good, y, 1).logit_offset, 0.0);
}

TEST(Calibration, SaveLoad) {
  TempDir dir;
  const auto path = dir / "calibration.json";
  EXPECT_EQ(train::load_calibration(path, {1.5, 3, {}}).min_tags, 3);  // absent: fallback
  train::save_calibration(path, {-0.75, 2, {}});
  const auto c = train::load_calibration(path, {0.0, 0, {}});
  EXPECT_DOUBLE_EQ(c.logit_offset, -0.75);
  EXPECT_EQ(c.min_tags, 2);
  write_text(path, "{\"logit_offset\": \"x\"}");
  EXPECT_MELCLASS_ERROR(train::load_calibration(path, {}), path.string(),
                        "invalid calibration file");
}
