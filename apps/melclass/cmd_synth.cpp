#include <cstdio>

#include "commands.h"
#include "melclass/data/toy_dataset.h"

namespace melclass::app {

void add_synth_command(CLI::App& app) {
  auto o = std::make_shared<data::ToyDatasetOptions>();
  auto task = std::make_shared<std::string>("station");
  auto out = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("synth", "write a small synthetic dataset (competition layout)");
  cmd->add_option("--task", *task, "station|mood|genre")
      ->check(CLI::IsMember({"station", "mood", "genre"}));
  cmd->add_option("--out", *out, "dataset root to create")->required();
  cmd->add_option("--tracks", o->tracks, "number of tracks, train + test (default 120)")
      ->check(CLI::Range(8, 1000000));
  cmd->add_option("--seed", o->seed, "random seed (default 0)");
  cmd->callback([=] {
    o->root = *out;
    o->task = data::parse_task(*task);
    data::write_toy_dataset(*o);
    std::printf("wrote %d %s tracks to %s\n", o->tracks, task->c_str(), out->c_str());
  });
}

}  // namespace melclass::app
