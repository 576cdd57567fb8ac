#include <cstdio>

#include "commands.h"
#include "melclass/infer/predictor.h"

namespace melclass::app {

void add_predict_command(CLI::App& app) {
  auto o = std::make_shared<infer::PredictOptions>();
  auto runs = std::make_shared<std::vector<std::string>>();
  auto data = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto pool = std::make_shared<double>();  // read only when given (count() > 0)
  auto prior = std::make_shared<double>();
  auto tag_mix = std::make_shared<double>();
  CLI::App* cmd = app.add_subcommand("predict", "predict ROOT/test/test_data with a trained run");
  cmd->add_option("--run", *runs,
                  "run folder written by train; several (or a cv folder) average their "
                  "probabilities")
      ->required()
      ->expected(1, -1);
  cmd->add_option("--data", *data, "dataset root")->required();
  cmd->add_option("--out", *out, "prediction JSON (default RUN/predictions.json); CSV beside it");
  cmd->add_option("--device", o->device, "cpu or cuda");
  cmd->add_option("--autocast", o->autocast,
                  "none (float32) or bf16: forward passes in bfloat16 (faster on CPUs with "
                  "AVX-512 BF16/AMX and on GPUs)")
      ->check(CLI::IsMember({"none", "bf16"}));
  add_threads_option(*cmd, o->threads, "CPU threads");
  auto* pool_opt =
      cmd->add_option(
             "--artist-pool", *pool,
             "single-label tasks: weight of the artist consensus over the predicted tracks "
             "(0 = off; default: the run's artist_pool)")
          ->check(CLI::Range(0.0, 1.0));
  auto* prior_opt =
      cmd->add_option("--artist-prior", *prior,
                      "single-label tasks: power of the artist's training label distribution for "
                      "tracks whose artist has training tracks (0 = off; default: the run's "
                      "artist_prior)")
          ->check(CLI::Range(0.0, 10.0));
  auto* tag_mix_opt =
      cmd->add_option(
             "--artist-tag-mix", *tag_mix,
             "multi-label tasks: share of the artist's training tag frequencies mixed into "
             "the scores of tracks whose artist has training tracks (0 = off; default: the "
             "run's artist_tag_mix)")
          ->check(CLI::Range(0.0, 1.0));
  cmd->callback([=] {
    // Given: passed on (the library refuses NaN, which CLI11's range lets by).
    if (pool_opt->count() > 0) o->artist_pool = *pool;
    if (prior_opt->count() > 0) o->artist_prior = *prior;
    if (tag_mix_opt->count() > 0) o->artist_tag_mix = *tag_mix;
    o->runs.assign(runs->begin(), runs->end());
    o->root = *data;
    o->out = out->empty() ? o->runs.front() / "predictions.json" : std::filesystem::path(*out);
    const auto p = infer::predict(*o);
    std::printf("predicted %zu tracks in %.3f s -> %s (+ %s)\n", p.track_ids.size(), p.seconds,
                o->out.string().c_str(), infer::csv_path_for(o->out).string().c_str());
  });
}

}  // namespace melclass::app
