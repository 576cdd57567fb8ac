// Options shared by `train` and `cv`, and their translation into a TrainConfig.

#include "commands.h"
#include "melclass/core/error.h"
#include "melclass/io/json_table.h"
#include "melclass/models/registry.h"

namespace melclass::app {

void add_train_options(CLI::App& cmd, TrainArgs& a) {
  cmd.add_option("--data", a.data, "dataset root (competition layout)")->required();
  cmd.add_option("--task", a.task, "station|mood|genre (default: from the label file)")
      ->check(CLI::IsMember({"station", "mood", "genre"}));
  std::string names;
  for (const auto& n : models::model_names()) names += (names.empty() ? "" : ", ") + n;
  cmd.add_option("--model", a.model,
                 "model name: " + names + " (default " + models::kDefaultModel + ")");
  cmd.add_option("--out", a.out, "output folder (default runs/MODEL)");
  cmd.add_option("--epochs", a.epochs, "epochs (default: the model's)")->check(CLI::PositiveNumber);
  cmd.add_option("--batch-size", a.batch_size, "batch size")->check(CLI::PositiveNumber);
  cmd.add_option("--lr", a.lr, "peak learning rate")->check(CLI::PositiveNumber);
  cmd.add_option("--seed", a.seed, "random seed (default 0)");
  cmd.add_option("--device", a.device, "cpu or cuda");
  add_threads_option(cmd, a.threads, "CPU threads");
  cmd.add_option("--config", a.config, "JSON file of settings; --set and flags override it");
  cmd.add_option("--set", a.sets,
                 "KEY=VALUE setting (any config.json key, e.g. --set use_text=true); repeatable");
  cmd.add_flag("--skip-missing", a.skip_missing, "go on without tracks whose .npy is missing");
  cmd.add_flag("--quiet", a.quiet, "no per-epoch lines");
}

namespace {
// "KEY=VALUE": VALUE as JSON when it parses (numbers, true/false), else a string.
void apply_set(nlohmann::json& overrides, const std::string& kv) {
  const auto eq = kv.find('=');
  check(eq != std::string::npos && eq > 0, "config", "--set",
        "expected KEY=VALUE, got '" + kv + "'");
  const std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
  const auto parsed = nlohmann::json::parse(value, nullptr, false);
  overrides[key] = parsed.is_discarded() ? nlohmann::json(value) : parsed;
}
}  // namespace

train::TrainConfig train_config_from_args(const TrainArgs& a, CLI::App& cmd,
                                          const std::string& default_out) {
  nlohmann::json overrides = load_config_file(a.config);
  for (const auto& kv : a.sets) apply_set(overrides, kv);
  overrides["data_root"] = a.data;
  if (!a.task.empty()) overrides["task"] = a.task;
  if (cmd.count("--model") || !overrides.contains("model"))
    overrides["model"] = a.model.empty() ? std::string(models::kDefaultModel) : a.model;
  if (cmd.count("--epochs")) overrides["epochs"] = a.epochs;
  if (cmd.count("--batch-size")) overrides["batch_size"] = a.batch_size;
  if (cmd.count("--lr")) overrides["lr"] = a.lr;
  if (cmd.count("--seed") || !overrides.contains("seed")) overrides["seed"] = a.seed;
  if (cmd.count("--device") || !overrides.contains("device")) overrides["device"] = a.device;
  if (cmd.count("--threads")) overrides["threads"] = a.threads;
  if (a.skip_missing) overrides["skip_missing"] = true;
  const std::string source = a.config.empty() ? "--set" : a.config;
  check(overrides["model"].is_string(), "config", source,
        "setting 'model' must be a string, not " + io::brief(overrides["model"]));
  const std::string model = overrides["model"].get<std::string>();
  if (!a.out.empty() || !overrides.contains("out"))
    overrides["out"] = a.out.empty() ? default_out + "/" + model : a.out;
  return train::resolve_config(model, overrides, source);
}

}  // namespace melclass::app
