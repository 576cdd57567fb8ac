#include <iostream>

#include "commands.h"
#include "melclass/report/report.h"

namespace melclass::app {

void add_report_command(CLI::App& app) {
  auto o = std::make_shared<report::ReportOptions>();
  auto run = std::make_shared<std::string>(), data = std::make_shared<std::string>();
  auto pred = std::make_shared<std::string>(), out = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "report", "HTML report of a run or cv folder: config, learning curves, scores");
  cmd->add_option("--run", *run, "run folder (train) or cv folder (cv)")->required();
  cmd->add_option("--data", *data,
                  "dataset root: a cv folder's out-of-fold scores (train_label), "
                  "or test_label for --pred");
  cmd->add_option("--pred", *pred, "prediction JSON written by predict, scored against --data");
  cmd->add_option("--out", *out, "HTML file (default RUN/report.html)");
  cmd->callback([=] {
    o->run = *run, o->data = *data, o->predictions = *pred, o->out = *out;
    const auto written = report::write_report(*o);  // nothing printed on failure
    std::cout << "report: " << written.string() << std::endl;
  });
}

}  // namespace melclass::app
