#pragma once
// `melclass extract`: audio files -> mel spectrogram .npy files, several at once.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "melclass/audio/mel.h"

namespace melclass::audio {

struct ExtractOptions {
  std::vector<std::filesystem::path> inputs;  ///< files, or folders (recursed)
  std::filesystem::path out_dir;
  MelOptions mel;
  int threads = 0;       ///< files decoded at once; <= 0: all cores
  bool progress = true;  ///< progress bar on stderr, only when it is a terminal
  /// Called (from any worker, serialised) with one line per file that failed,
  /// e.g. "audio: x.mp3: cannot decode: ..."; default: a line on stderr.
  std::function<void(const std::string& message)> on_failure;
};

/// Throws Error("extract", "", ...) for no inputs, no output folder or bad mel options.
void validate(const ExtractOptions& options);

struct ExtractJob {
  std::filesystem::path input;
  std::filesystem::path output;  ///< out_dir/<relative folder>/<stem>.npy
};

/// The files to convert: each file input as out_dir/<stem>.npy; each folder
/// input recursed for .wav/.flac/.ogg/.oga/.mp3 (case-insensitive), kept at
/// out_dir/<path relative to the folder>/<stem>.npy. Files that would share
/// an output (x.wav beside x.mp3) keep their extension instead: x.wav.npy,
/// x.mp3.npy. Sorted by input within each input. Throws
/// Error("extract", path, ...) for an input that does not exist and when two
/// inputs would still write the same output (a/x.wav and b/x.wav given as files).
std::vector<ExtractJob> collect_extract_jobs(const std::vector<std::filesystem::path>& inputs,
                                             const std::filesystem::path& out_dir);

struct ExtractResult {
  int64_t ok = 0;
  int64_t failed = 0;
  double audio_seconds = 0;           ///< total duration of the converted files
  double seconds = 0;                 ///< wall time
  int threads = 1;                    ///< workers used
  std::vector<std::string> failures;  ///< one line per failed file, in completion order
};

/// Converts every job's audio to float32 [1, n_mels, T] (audio_file_mel),
/// written atomically with io::write_npy. A file that cannot be decoded or
/// written is reported through on_failure (default: a line on stderr) and
/// skipped; the others go on. Sets LibTorch to one intra-op thread per worker
/// while it runs and restores the previous count.
ExtractResult extract(const ExtractOptions& options);

}  // namespace melclass::audio
