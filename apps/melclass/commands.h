#pragma once
// Subcommand registration. Each cmd_*.cpp parses its options, builds a config
// and calls the library; only main() catches errors.

#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "melclass/train/config.h"

namespace melclass::app {

void add_train_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_evaluate_command(CLI::App& app);
void add_synth_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_extract_command(CLI::App& app);
void add_cv_command(CLI::App& app);
void add_report_command(CLI::App& app);

/// --threads N for every subcommand: 0 (all cores) to kMaxThreads.
CLI::Option* add_threads_option(CLI::App& cmd, int& threads, const std::string& help);

/// Options shared by `train` and `cv`.
struct TrainArgs {
  std::string data, task, model, out, device = "cpu", config;
  std::vector<std::string> sets;  ///< --set KEY=VALUE
  int epochs = 0, threads = 0, batch_size = 0;
  double lr = 0;
  uint64_t seed = 0;
  bool skip_missing = false, quiet = false;
};
void add_train_options(CLI::App& cmd, TrainArgs& args);
/// --config, then --set, then the named flags; out defaults to `default_out`/MODEL.
train::TrainConfig train_config_from_args(const TrainArgs& args, CLI::App& cmd,
                                          const std::string& default_out = "runs");

/// Loads --config FILE (a JSON object) or returns {} when `path` is empty.
nlohmann::json load_config_file(const std::string& path);

}  // namespace melclass::app
