#include "melclass/audio/extract.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>

#include <ATen/ATen.h>
#include <unistd.h>

#include "melclass/audio/decode.h"
#include "melclass/audio/mel_stream.h"
#include "melclass/core/error.h"
#include "melclass/core/parallel.h"
#include "melclass/io/npy.h"

namespace fs = std::filesystem;

namespace melclass::audio {
namespace {

std::vector<fs::path> audio_files_under(const fs::path& folder) {
  std::vector<fs::path> files;
  std::error_code ec;
  std::error_code entry_ec;  // a dangling link or a link loop is skipped, not fatal
  for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file(entry_ec) && is_audio_path(it->path())) files.push_back(it->path());
  check(!ec, "extract", folder.string(), "cannot list the folder: " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

// A one-line progress bar on stderr, redrawn in place; silent unless enabled.
class Progress {
 public:
  Progress(size_t total, bool enabled) : total_(total), enabled_(enabled) { draw(); }
  ~Progress() {
    if (enabled_) std::cerr << "\r\033[K" << std::flush;
  }
  void advance() {
    ++done_;
    draw();
  }
  /// Runs `print` (which writes whole lines to stderr) above the bar.
  void note(const std::function<void()>& print) {
    if (enabled_) std::cerr << "\r\033[K" << std::flush;
    print();
    draw();
  }

 private:
  void draw() const {
    if (!enabled_) return;
    constexpr size_t kWidth = 30;
    const size_t filled = total_ ? done_ * kWidth / total_ : kWidth;
    std::cerr << "\rextract [" << std::string(filled, '#') << std::string(kWidth - filled, '.')
              << "] " << done_ << "/" << total_ << std::flush;
  }

  size_t total_, done_ = 0;
  bool enabled_;
};

// One file: decode, mel, write. Returns "" or the error's one-line description.
std::string convert(const ExtractJob& job, const MelFrontend& frontend, int64_t& samples) {
  try {
    const at::Tensor mel = audio_file_mel(job.input, frontend, &samples);
    check(mel.size(-1) > 0, "audio", job.input.string(), "too short for one frame");
    fs::create_directories(job.output.parent_path());
    io::write_npy(job.output, mel);
    return "";
  } catch (const std::exception& e) {
    return describe_exception(e);
  }
}

}  // namespace

void validate(const ExtractOptions& o) {
  check(!o.inputs.empty(), "extract", "", "no input files or folders");
  check(!o.out_dir.empty(), "extract", "", "no output folder (--out)");
  validate(o.mel);
}

std::vector<ExtractJob> collect_extract_jobs(const std::vector<fs::path>& inputs,
                                             const fs::path& out_dir) {
  std::vector<ExtractJob> jobs;
  for (const fs::path& input : inputs) {
    std::error_code ec;
    const fs::file_status status = fs::status(input, ec);
    check(fs::exists(status), "extract", input.string(), "no such file or folder");
    if (!fs::is_directory(status)) {
      jobs.push_back({input, out_dir / input.stem().concat(".npy")});
      continue;
    }
    for (const fs::path& file : audio_files_under(input)) {
      const fs::path relative = file.lexically_relative(input);
      jobs.push_back({file, out_dir / relative.parent_path() / file.stem().concat(".npy")});
    }
  }
  // x.wav beside x.mp3: both keep their extension (x.wav.npy, x.mp3.npy).
  std::map<fs::path, int> uses;
  for (const ExtractJob& job : jobs) ++uses[job.output.lexically_normal()];
  for (ExtractJob& job : jobs)
    if (uses[job.output.lexically_normal()] > 1)
      job.output.replace_filename(job.input.filename().concat(".npy"));
  std::map<fs::path, fs::path> writer;  // output -> input
  for (const ExtractJob& job : jobs) {
    const auto [it, fresh] = writer.emplace(job.output.lexically_normal(), job.input);
    check(fresh, "extract", job.output.string(),
          "two inputs would write this output: " + it->second.string() + " and " +
              job.input.string());
  }
  return jobs;
}

ExtractResult extract(const ExtractOptions& options) {
  validate(options);
  const auto started = std::chrono::steady_clock::now();
  const std::vector<ExtractJob> jobs = collect_extract_jobs(options.inputs, options.out_dir);
  check(!jobs.empty(), "extract", options.inputs.front().string(),
        "no audio files found (.wav .flac .ogg .oga .mp3)");
  const MelFrontend frontend(options.mel);  // shared read-only by the workers
  ExtractResult result;
  result.threads = worker_count(options.threads, jobs.size());
  std::mutex mutex;  // guards result, progress and on_failure
  Progress progress(jobs.size(), options.progress && ::isatty(STDERR_FILENO));
  ParallelOptions po;
  po.workers = result.threads;
  parallel_for_each(jobs.size(), po, [&](size_t i) {
    int64_t samples = 0;
    const std::string failure = convert(jobs[i], frontend, samples);  // never throws
    const std::lock_guard<std::mutex> lock(mutex);
    if (failure.empty()) {
      ++result.ok;
      result.audio_seconds += static_cast<double>(samples) / options.mel.sample_rate;
    } else {
      ++result.failed;
      result.failures.push_back(failure);
      progress.note([&] {
        if (options.on_failure) {
          options.on_failure(failure);
        } else {
          std::cerr << "extract: skipped: " << failure << std::endl;
        }
      });
    }
    progress.advance();
  });
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace melclass::audio
