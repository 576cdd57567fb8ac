#include <cstdio>
#include <iostream>

#include "commands.h"
#include "melclass/models/registry.h"
#include "melclass/train/trainer.h"

namespace melclass::app {
namespace {

struct TrainArgs {
  std::string data, task, model = models::kDefaultModel, out, device = "cpu", config;
  int epochs = 0, threads = 0, batch_size = 0;
  double lr = 0;
  uint64_t seed = 0;
  bool skip_missing = false, quiet = false;
};

void run_train(const TrainArgs& a, CLI::App& cmd) {
  nlohmann::json overrides = load_config_file(a.config);
  overrides["data_root"] = a.data;
  if (!a.task.empty()) overrides["task"] = a.task;
  if (cmd.count("--model") || !overrides.contains("model")) overrides["model"] = a.model;
  if (cmd.count("--epochs")) overrides["epochs"] = a.epochs;
  if (cmd.count("--batch-size")) overrides["batch_size"] = a.batch_size;
  if (cmd.count("--lr")) overrides["lr"] = a.lr;
  if (cmd.count("--seed") || !overrides.contains("seed")) overrides["seed"] = a.seed;
  if (cmd.count("--device") || !overrides.contains("device")) overrides["device"] = a.device;
  if (cmd.count("--threads")) overrides["threads"] = a.threads;
  if (a.skip_missing) overrides["skip_missing"] = true;
  const std::string model = overrides["model"].get<std::string>();
  overrides["out"] = a.out.empty() ? "runs/" + model : a.out;
  const train::TrainConfig cfg = train::resolve_config(model, overrides, a.config);
  std::printf("training %s on %s -> %s\n", cfg.model.c_str(), cfg.data_root.c_str(),
              cfg.out.c_str());
  const auto result = train::train_model(cfg, [&](const train::EpochLog& l) {
    if (a.quiet) return;
    std::printf("epoch %3d  loss %.4f  val_loss %.4f  val_%s %.4f  lr %.2e  %.1f samples/s  %.1f s%s\n",
                l.epoch, l.train_loss, l.val_loss, l.metric_name.c_str(), l.val_metric, l.lr,
                l.samples_per_second, l.seconds, l.best ? "  *" : "");
    std::fflush(stdout);
  });
  if (result.skipped_missing)
    std::printf("skipped %lld tracks with missing spectrograms\n",
                static_cast<long long>(result.skipped_missing));
  std::printf("best val_%s %.4f at epoch %d; %lld train / %lld val tracks; %.1f s; run: %s\n",
              result.metric_name.c_str(), result.best_metric, result.best_epoch,
              static_cast<long long>(result.train_tracks), static_cast<long long>(result.val_tracks),
              result.seconds, cfg.out.c_str());
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand("train", "train a model on ROOT/train");
  cmd->add_option("--data", args->data, "dataset root (competition layout)")->required();
  cmd->add_option("--task", args->task, "station|mood|genre (default: from the label file)")
      ->check(CLI::IsMember({"station", "mood", "genre"}));
  std::string names;
  for (const auto& n : models::model_names()) names += (names.empty() ? "" : ", ") + n;
  cmd->add_option("--model", args->model, "model name: " + names + " (default tcnet)");
  cmd->add_option("--out", args->out, "run folder (default runs/MODEL)");
  cmd->add_option("--epochs", args->epochs, "epochs (default: the model's)")->check(CLI::PositiveNumber);
  cmd->add_option("--batch-size", args->batch_size, "batch size")->check(CLI::PositiveNumber);
  cmd->add_option("--lr", args->lr, "peak learning rate")->check(CLI::PositiveNumber);
  cmd->add_option("--seed", args->seed, "random seed (default 0)");
  cmd->add_option("--device", args->device, "cpu or cuda");
  cmd->add_option("--threads", args->threads, "CPU threads (default: all cores)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--config", args->config, "JSON file of settings; flags override it");
  cmd->add_flag("--skip-missing", args->skip_missing, "go on without tracks whose .npy is missing");
  cmd->add_flag("--quiet", args->quiet, "no per-epoch lines");
  cmd->callback([args, cmd] { run_train(*args, *cmd); });
}

}  // namespace melclass::app
