#include <cstdio>
#include <iostream>

#include "commands.h"
#include "melclass/audio/extract.h"
#include "melclass/core/error.h"

namespace melclass::app {

void add_extract_command(CLI::App& app) {
  auto o = std::make_shared<audio::ExtractOptions>();
  auto inputs = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<std::string>();
  auto no_progress = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "extract", "audio (wav/flac/ogg/mp3) -> mel spectrogram .npy, 16 kHz mono");
  cmd->add_option("INPUT", *inputs, "audio files, or folders (recursed; structure kept)")
      ->required();
  cmd->add_option("--out", *out, "output folder")->required();
  add_threads_option(*cmd, o->threads, "files at once");
  cmd->add_option("--n-fft", o->mel.n_fft, "FFT size (default 1024)");
  cmd->add_option("--hop", o->mel.hop, "hop length in samples (default 512)");
  cmd->add_option("--n-mels", o->mel.n_mels, "mel bands (default 128)");
  cmd->add_option("--fmin", o->mel.f_min, "lowest band edge, Hz (default 0)");
  cmd->add_option("--fmax", o->mel.f_max, "highest band edge, Hz (default 8000)");
  cmd->add_flag("--htk", o->mel.htk, "HTK mel scale instead of Slaney");
  cmd->add_option("--power", o->mel.power, "1 = magnitude, 2 = power (default 2)");
  cmd->add_flag("--no-progress", *no_progress, "no progress bar on stderr");
  cmd->callback([=] {
    o->inputs.assign(inputs->begin(), inputs->end());
    o->out_dir = *out;
    o->progress = !*no_progress;
    o->on_failure = [](const std::string& line) {
      std::cerr << "melclass: skipped: " << line << std::endl;
    };
    const auto r = audio::extract(*o);
    const int64_t total = r.ok + r.failed;
    std::printf("extracted %lld of %lld files (%.1f s of audio) in %.3f s with %d threads -> %s\n",
                static_cast<long long>(r.ok), static_cast<long long>(total), r.audio_seconds,
                r.seconds, r.threads, o->out_dir.string().c_str());
    std::fflush(stdout);
    check(r.failed == 0, "extract", "",
          std::to_string(r.failed) + " of " + std::to_string(total) +
              " files could not be converted (see the lines above)");
  });
}

}  // namespace melclass::app
