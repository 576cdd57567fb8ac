#include <cmath>
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "melclass/models/registry.h"
#include "melclass/report/report.h"
#include "melclass/train/trainer.h"

namespace melclass::app {
namespace {

void print_epoch(const train::EpochLog& l) {
  std::printf("epoch %3d  loss %.4f  ", l.epoch, l.train_loss);
  if (!std::isnan(l.val_metric))  // NaN: no validation part (val_fraction 0)
    std::printf("val_loss %.4f  val_%s %.4f  ", l.val_loss, l.metric_name.c_str(), l.val_metric);
  std::printf("lr %.2e  %.1f samples/s  %.1f s%s\n", l.lr, l.samples_per_second, l.seconds,
              l.best ? "  *" : "");
  std::fflush(stdout);
}

void run_train(const TrainArgs& a, CLI::App& cmd) {
  const train::TrainConfig cfg = train_config_from_args(a, cmd);
  std::printf("training %s on %s -> %s\n", cfg.model.c_str(), cfg.data_root.c_str(),
              cfg.out.c_str());
  const auto result = train::train_model(cfg, [&](const train::EpochLog& l) {
    if (!a.quiet) print_epoch(l);
  });
  if (result.skipped_missing)
    std::printf("skipped %lld tracks with missing spectrograms\n",
                static_cast<long long>(result.skipped_missing));
  if (result.val_tracks > 0)
    std::printf("best val_%s %.4f at epoch %d; ", result.metric_name.c_str(), result.best_metric,
                result.best_epoch);
  std::printf("kept epoch %d (select %s); %lld train / %lld val tracks; %.1f s; run: %s\n",
              result.kept_epoch, cfg.recipe.select.c_str(),
              static_cast<long long>(result.train_tracks),
              static_cast<long long>(result.val_tracks), result.seconds, cfg.out.c_str());
  if (result.val_tracks == 0)
    std::printf(
        "no validation part: every track trained (--set val_fraction=0.1 holds some "
        "out; `melclass cv` estimates accuracy)\n");
  std::printf("report: %s\n", report::write_report({cfg.out, {}, {}, {}}).string().c_str());
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand("train", "train a model on ROOT/train");
  add_train_options(*cmd, *args);
  cmd->callback([args, cmd] { run_train(*args, *cmd); });
}

}  // namespace melclass::app
