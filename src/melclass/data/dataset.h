#pragma once
// Reader for a dataset root in the AI Rush 2020 competition layout:
//   train/train_label                              labels (pandas column JSON)
//   train/train_data/mel_spectrogram/<id>.npy      [1, 128, T] float mel
//   train/train_data/meta/{track,artist,album,lyric}_meta.json   optional
//   test/test_data/mel_spectrogram/<id>.npy
// A mel_spectrogram folder may hold <id>.wav|flac|ogg|mp3 instead of <id>.npy:
// such tracks are converted with the default mel frontend when loaded.
//   test/test_data/meta/q{1,2,3}_test.json         test order (data_idx) + metadata
//   test/test_label                                answers (optional; for evaluate)

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "melclass/data/task.h"

namespace melclass::data {

struct Track {
  std::string id;                   ///< track_index rendered as text ("17")
  std::vector<std::string> labels;  ///< one label (station/genre) or tags (mood); empty if unknown
  nlohmann::json meta = nlohmann::json::object();  ///< joined metadata columns
};

enum class Split { kTrain, kTest };

struct DatasetOptions {
  std::filesystem::path root;
  std::optional<Task> task;          ///< override; detected from the label file otherwise
  bool skip_missing = false;         ///< drop tracks whose spectrogram is missing
  bool require_spectrograms = true;  ///< false for metadata-only (text) models
  bool with_labels = true;           ///< test split: also read test/test_label
};

class Dataset {
 public:
  /// Loads train/ (labels, metadata). Throws Error naming the file on any problem.
  static Dataset load(const DatasetOptions& options, Split split);

  Task task() const { return task_; }
  Split split() const { return split_; }
  const std::vector<Track>& tracks() const { return tracks_; }
  const std::filesystem::path& mel_dir() const { return mel_dir_; }
  size_t skipped_missing() const { return skipped_missing_; }
  /// mel_dir/<id>.npy, or the track's audio file when only that exists
  /// (find_spectrogram_file; load_spectrogram converts it).
  std::filesystem::path spectrogram_file(const Track& track) const;
  /// Sorted distinct labels over all tracks.
  std::vector<std::string> label_set() const;

 private:
  Task task_ = Task::kStation;
  Split split_ = Split::kTrain;
  std::vector<Track> tracks_;
  std::filesystem::path mel_dir_;
  size_t skipped_missing_ = 0;

  friend class DatasetBuilder;
};

/// Paths of the layout, relative to a root.
std::filesystem::path train_label_path(const std::filesystem::path& root);
std::filesystem::path test_label_path(const std::filesystem::path& root);
std::filesystem::path test_meta_path(const std::filesystem::path& root, Task task);
std::filesystem::path mel_dir_path(const std::filesystem::path& root, Split split);
std::filesystem::path meta_dir_path(const std::filesystem::path& root, Split split);

/// A data folder, following a "link file": a small regular file whose text is
/// a relative path to the real folder (how git checks out a symbolic link
/// where symlinks are not supported; real4q ships its mel folders that way).
/// Real symbolic links are followed by the OS. Returns `dir` unchanged when it
/// is neither.
std::filesystem::path resolve_folder(const std::filesystem::path& dir);

/// Reads one label cell: a string (station/genre) or list of strings (mood).
/// Throws Error("dataset", source, ...) naming the row when malformed.
std::vector<std::string> parse_label_cell(const nlohmann::json& cell, bool multi_label,
                                          const std::string& source, const std::string& row);

}  // namespace melclass::data
