#include <cstdio>

#include "commands.h"
#include "melclass/report/report.h"
#include "melclass/train/cv.h"

namespace melclass::app {

void add_cv_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  auto folds = std::make_shared<int>(5);
  CLI::App* cmd = app.add_subcommand(
      "cv", "K-fold cross-validation on ROOT/train (artist-disjoint folds): mean and std");
  add_train_options(*cmd, *args);
  cmd->add_option("--folds", *folds, "number of folds (default 5)")->check(CLI::Range(2, 50));
  cmd->callback([args, folds, cmd] {
    const train::TrainConfig cfg = train_config_from_args(*args, *cmd, "runs/cv");
    std::printf("cross-validating %s on %s, %d folds -> %s\n", cfg.model.c_str(),
                cfg.data_root.c_str(), *folds, cfg.out.c_str());
    std::fflush(stdout);
    const auto r = train::run_cv(cfg, *folds, [](const train::FoldResult& f) {
      std::printf("fold %d  held-out %lld tracks  metric %.4f  macro_f1 %.4f  ", f.fold,
                  static_cast<long long>(f.test_tracks), f.metric, f.macro_f1);
      if (f.val_tracks > 0)
        std::printf("best val epoch %d  ", f.best_epoch);
      else
        std::printf("no val part  ");
      std::printf("kept %d  %.1f s\n", f.kept_epoch, f.seconds);
      std::fflush(stdout);
    });
    std::printf("%s: mean %.4f  std %.4f over %d folds; %.1f s; summary: %s/cv_summary.json\n",
                r.metric_name.c_str(), r.mean, r.std, *folds, r.seconds, cfg.out.c_str());
    // With the out-of-fold confusion matrix and per-class scores over every track.
    const auto html = report::write_report({cfg.out, cfg.data_root, {}, {}});
    std::printf("report: %s\n", html.string().c_str());
  });
}

}  // namespace melclass::app
