// train::warmup_cosine_lr, train::Plateau, train::epochs_to_run against the
// formulas of their references, written out here independently.

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "melclass/models/classifier.h"
#include "melclass/train/schedule.h"

using namespace melclass;

TEST(WarmupCosine, WarmsUpLinearlyThenDecaysToZero) {
  const double base = 2e-3;
  const int64_t total = 200;  // warmup: 200 / 20 = 10 steps
  for (int64_t s = 0; s < 10; ++s)
    EXPECT_DOUBLE_EQ(train::warmup_cosine_lr(base, s, total), base * (s + 1) / 10.0);
  EXPECT_DOUBLE_EQ(train::warmup_cosine_lr(base, 10, total), base);  // peak after warmup
  // Halfway through the decay: cos(pi / 2) -> base / 2.
  EXPECT_NEAR(train::warmup_cosine_lr(base, 10 + 95, total), base / 2, 1e-15);
  EXPECT_NEAR(train::warmup_cosine_lr(base, total, total), 0.0, 1e-15);
  double previous = base;
  for (int64_t s = 11; s < total; ++s) {  // never rises again
    const double lr = train::warmup_cosine_lr(base, s, total);
    EXPECT_LT(lr, previous);
    previous = lr;
  }
  // Tiny runs: at least one warmup step, no division by zero.
  EXPECT_DOUBLE_EQ(train::warmup_cosine_lr(base, 0, 1), base);
  EXPECT_TRUE(std::isfinite(train::warmup_cosine_lr(base, 1, 1)));
}

TEST(Plateau, CutsAfterPatienceEpochsWithoutRelativeImprovement) {
  // torch.optim.lr_scheduler.ReduceLROnPlateau(mode="min", factor=0.5,
  // patience=2, threshold=1e-4, threshold_mode="rel") on these losses gives:
  const std::vector<double> losses = {1.0, 0.9, 0.95, 0.9, 0.89995, 0.91, 0.5, 0.6, 0.6, 0.6};
  const std::vector<double> expected = {1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25};
  train::Plateau p;
  double lr = 1;
  for (size_t e = 0; e < losses.size(); ++e) {
    lr = p.step(losses[e], lr, 0.5, 2);
    EXPECT_DOUBLE_EQ(lr, expected[e]) << "epoch " << e;
  }
}

TEST(EpochsToRun, RecipeEpochsOrMoreForMinSteps) {
  models::Recipe r;
  r.batch_size = 16;
  r.epochs = 80;
  r.min_steps = 640;
  EXPECT_EQ(train::batches_per_epoch(340, 16), 22);    // 21 full batches + 1 partial
  EXPECT_EQ(train::epochs_to_run(r, false, 340), 80);  // 80 x 22 steps >= 640
  EXPECT_EQ(train::epochs_to_run(r, false, 64), 160);  // 4 steps an epoch: 640 / 4
  r.multi_label_epochs = 120;
  EXPECT_EQ(train::epochs_to_run(r, true, 340), 120);
  EXPECT_EQ(train::epochs_to_run(r, false, 340), 80);
}
