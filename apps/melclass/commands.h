#pragma once
// Subcommand registration. Each cmd_*.cpp parses its options, builds a config
// and calls the library; only main() catches errors.

#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace melclass::app {

void add_train_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_evaluate_command(CLI::App& app);
void add_synth_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_extract_command(CLI::App& app);

/// Loads --config FILE (a JSON object) or returns {} when `path` is empty.
nlohmann::json load_config_file(const std::string& path);

}  // namespace melclass::app
