#include <cstdio>

#include "commands.h"
#include "melclass/data/synth.h"

namespace melclass::app {

void add_synth_command(CLI::App& app) {
  auto o = std::make_shared<data::SynthOptions>();
  auto task = std::make_shared<std::string>("station");
  auto out = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "synth", "render a synthetic dataset (audio -> mel) in the competition layout");
  cmd->add_option("--task", *task, "station|mood|genre (default station)")
      ->check(CLI::IsMember({"station", "mood", "genre"}));
  cmd->add_option("--out", *out, "dataset root to create")->required();
  cmd->add_option("--tracks", o->tracks, "number of tracks, train + test (default 120)")
      ->check(CLI::Range(8, 1000000));
  cmd->add_option("--seed", o->seed, "random seed (default 0)");
  cmd->add_option("--min-seconds", o->min_seconds, "shortest track, seconds (default 20)")
      ->check(CLI::Range(0.1, 3600.0));
  cmd->add_option("--max-seconds", o->max_seconds, "longest track, seconds (default 360)")
      ->check(CLI::Range(0.1, 3600.0));
  add_threads_option(*cmd, o->threads, "worker threads");
  cmd->callback([=] {
    o->root = *out;
    o->task = data::parse_task(*task);
    o->progress = true;  // drawn only when stderr is a terminal
    const data::SynthSummary s = data::write_synth_dataset(*o);
    std::printf("wrote %d %s tracks (%d train, %d test; %.1f min of audio) to %s in %.1f s\n",
                s.train_tracks + s.test_tracks, task->c_str(), s.train_tracks, s.test_tracks,
                s.audio_seconds / 60.0, out->c_str(), s.seconds);
  });
}

}  // namespace melclass::app
