// `melclass demo`: synthetic data -> train -> predict -> evaluate, in one go.

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"
#include "melclass/data/synth.h"
#include "melclass/eval/evaluate.h"
#include "melclass/infer/predictor.h"
#include "melclass/report/report.h"
#include "melclass/train/run_dir.h"
#include "melclass/train/trainer.h"

namespace fs = std::filesystem;

namespace melclass::app {
namespace {

// Demo tracks: long enough for several 8 s training crops, short enough that
// synth + training + prediction fit in under three minutes on two cores.
constexpr double kMinSeconds = 10, kMaxSeconds = 30;

struct DemoArgs {
  std::string out = "melclass-demo";
  int tracks = 320, epochs = 20, threads = 0;
  uint64_t seed = 0;
};

void print_confusion(const eval::MetricReport& r) {
  std::printf("confusion matrix (rows: truth, columns: prediction)\n%8s", "");
  for (const auto& c : r.per_class) std::printf("%8s", c.label.c_str());
  std::printf("\n");
  for (size_t i = 0; i < r.confusion.size(); ++i) {
    std::printf("%8s", r.per_class[i].label.c_str());
    for (int64_t v : r.confusion[i]) std::printf("%8lld", static_cast<long long>(v));
    std::printf("\n");
  }
}

void run_demo(const DemoArgs& a) {
  const auto start = std::chrono::steady_clock::now();
  check(!a.out.empty(), "demo", "", "--out must name a folder");
  const fs::path root = fs::path(a.out) / "data", run = fs::path(a.out) / "run";
  // Both outputs are checked before minutes of rendering and training.
  check_output_folder(root, data::is_synth_dataset);
  check_output_folder(run, train::is_replaceable_output);
  data::SynthOptions d;
  d.root = root;
  d.tracks = a.tracks;
  d.seed = a.seed;
  d.min_seconds = kMinSeconds;
  d.max_seconds = kMaxSeconds;
  d.threads = a.threads;
  d.progress = true;
  std::printf("[1/4] rendering %d station tracks (%.0f-%.0f s of audio each) -> %s\n", a.tracks,
              kMinSeconds, kMaxSeconds, root.string().c_str());
  std::fflush(stdout);
  const auto synth = data::write_synth_dataset(d);
  std::printf("      %d train + %d test tracks, %.1f min of audio, %.1f s\n", synth.train_tracks,
              synth.test_tracks, synth.audio_seconds / 60.0, synth.seconds);
  nlohmann::json overrides = {{"data_root", root.string()},
                              {"out", run.string()},
                              {"epochs", a.epochs},
                              {"seed", a.seed},
                              {"threads", a.threads}};
  const auto cfg = train::resolve_config("tcnet", overrides);
  std::printf("[2/4] training tcnet for %d epochs -> %s\n", a.epochs, run.string().c_str());
  const auto tr = train::train_model(cfg);
  std::printf("      best val accuracy %.3f (epoch %d), kept epoch %d, %.1f s\n", tr.best_metric,
              tr.best_epoch, tr.kept_epoch, tr.seconds);
  infer::PredictOptions p;
  p.runs = {run};
  p.root = root;
  p.out = run / "predictions.json";
  p.threads = a.threads;
  std::printf("[3/4] predicting the test part\n");
  infer::predict(p);
  std::printf("[4/4] evaluating\n");
  eval::EvaluateOptions e;
  e.predictions = p.out;
  e.root = root;
  const auto report = eval::evaluate_predictions(e);
  std::printf("\n%s", eval::format_report(report).c_str());
  print_confusion(report);
  std::printf("chance level: %.3f\n", 1.0 / report.per_class.size());
  const fs::path html = report::write_report({run, root, p.out, {}});
  std::printf("files: data %s, run %s, predictions %s (+ .csv), report %s\n", root.string().c_str(),
              run.string().c_str(), p.out.string().c_str(), html.string().c_str());
  std::printf("total %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto a = std::make_shared<DemoArgs>();
  CLI::App* cmd =
      app.add_subcommand("demo", "synthesise data, train, predict, evaluate, write an HTML report");
  cmd->add_option("--out", a->out, "working folder (default ./melclass-demo)");
  cmd->add_option("--tracks", a->tracks, "synthetic tracks (default 320)")
      ->check(CLI::Range(8, 100000));
  cmd->add_option("--epochs", a->epochs, "training epochs (default 20)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seed", a->seed, "random seed (default 0)");
  add_threads_option(*cmd, a->threads, "CPU threads");
  cmd->callback([a] { run_demo(*a); });
}

}  // namespace melclass::app
