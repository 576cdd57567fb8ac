#include <iostream>

#include "commands.h"
#include "melclass/eval/evaluate.h"

namespace melclass::app {

void add_evaluate_command(CLI::App& app) {
  auto pred = std::make_shared<std::string>();
  auto data = std::make_shared<std::string>();
  auto task = std::make_shared<std::string>();
  auto as_json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("evaluate", "score predictions against ROOT/test/test_label");
  cmd->add_option("--pred", *pred, "prediction JSON written by predict")->required();
  cmd->add_option("--data", *data, "dataset root")->required();
  cmd->add_option("--task", *task, "station|mood|genre (default: from test_label)")
      ->check(CLI::IsMember({"station", "mood", "genre"}));
  cmd->add_flag("--json", *as_json, "print metric, macro-F1, per-class figures as JSON");
  cmd->callback([=] {
    eval::EvaluateOptions o;
    o.predictions = *pred;
    o.root = *data;
    if (!task->empty()) o.task = data::parse_task(*task);
    const auto report = eval::evaluate_predictions(o);
    if (*as_json) {
      std::cout << eval::to_json(report).dump(2) << std::endl;
    } else {
      std::cout << eval::format_report(report) << std::flush;
    }
  });
}

}  // namespace melclass::app
