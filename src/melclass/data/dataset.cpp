#include "melclass/data/dataset.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"
#include "melclass/data/track_path.h"
#include "melclass/io/json_table.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace melclass::data {

fs::path train_label_path(const fs::path& root) { return root / "train" / "train_label"; }
fs::path test_label_path(const fs::path& root) { return root / "test" / "test_label"; }
fs::path test_meta_path(const fs::path& root, Task task) {
  return meta_dir_path(root, Split::kTest) / task_info(task).test_meta_file;
}
fs::path mel_dir_path(const fs::path& root, Split split) {
  return split == Split::kTrain ? root / "train" / "train_data" / "mel_spectrogram"
                                : root / "test" / "test_data" / "mel_spectrogram";
}
fs::path meta_dir_path(const fs::path& root, Split split) {
  return split == Split::kTrain ? root / "train" / "train_data" / "meta"
                                : root / "test" / "test_data" / "meta";
}

fs::path resolve_folder(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec) || !fs::is_regular_file(dir, ec)) return dir;
  if (fs::file_size(dir, ec) > 1024 || ec) return dir;
  std::string target = read_text_file(dir);
  while (!target.empty() &&
         (target.back() == '\n' || target.back() == '\r' || target.back() == ' '))
    target.pop_back();
  if (target.empty() || target.find('\0') != std::string::npos) return dir;
  const fs::path resolved = dir.parent_path() / target;
  return fs::is_directory(resolved, ec) ? resolved : dir;
}

std::vector<std::string> parse_label_cell(const json& cell, bool multi_label,
                                          const std::string& source, const std::string& row) {
  const std::string where = "row " + row + ": ";
  if (!multi_label) {
    check(cell.is_string() && !cell.get<std::string>().empty(), "dataset", source,
          where + "label must be a non-empty string, got " + io::brief(cell));
    return {cell.get<std::string>()};
  }
  check(cell.is_array(), "dataset", source, where + "tags must be a list, got " + io::brief(cell));
  std::vector<std::string> tags;
  for (const auto& tag : cell) {
    check(tag.is_string() && !tag.get<std::string>().empty(), "dataset", source,
          where + "tag must be a non-empty string, got " + io::brief(tag));
    tags.push_back(tag.get<std::string>());
  }
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  return tags;
}

// Builds a Dataset step by step; a friend of Dataset.
class DatasetBuilder {
 public:
  DatasetBuilder(const DatasetOptions& options, Split split) : opt_(options) {
    ds_.split_ = split;
    ds_.mel_dir_ = resolve_folder(mel_dir_path(options.root, split));
  }

  Dataset build() {
    check(fs::is_directory(opt_.root), "dataset", opt_.root.string(),
          "dataset root is not a directory");
    if (ds_.split_ == Split::kTrain) {
      read_train_labels();
    } else {
      read_test_order();
    }
    join_metadata();
    if (opt_.require_spectrograms) check_spectrograms();
    return std::move(ds_);
  }

 private:
  void read_train_labels() {
    const fs::path path = train_label_path(opt_.root);
    check(fs::exists(path), "dataset", path.string(), "label file not found");
    const auto table = io::JsonTable::load(path, "dataset");
    ds_.task_ = resolve_task(table);
    read_tracks(table, /*labels=*/true);
  }

  Task resolve_task(const io::JsonTable& table) {
    const auto detected = detect_task(table.columns());
    const Task task = opt_.task ? *opt_.task : detected.value_or(Task::kStation);
    check(opt_.task.has_value() || detected.has_value(), "dataset", table.source(),
          "cannot detect the task: no 'station_name', 'mood_tag' or 'genre' column (use --task)");
    check(table.has_column(task_info(task).label_column), "dataset", table.source(),
          "missing label column '" + task_info(task).label_column + "'");
    check(table.has_column("track_index"), "dataset", table.source(),
          "missing 'track_index' column");
    return task;
  }

  void read_tracks(const io::JsonTable& table, bool labels) {
    const TaskInfo& info = task_info(ds_.task_);
    std::set<std::string> seen;
    for (size_t r = 0; r < table.rows(); ++r) {
      Track t;
      t.id = validate_track_id(table.at(r, "track_index"), table.source());
      check(seen.insert(t.id).second, "dataset", table.source(), "duplicate track id " + t.id);
      if (labels)
        t.labels = parse_label_cell(table.at(r, info.label_column), info.multi_label,
                                    table.source(), table.index_key(r));
      for (const auto& col : table.columns())
        if (col != "track_index" && col != info.label_column) t.meta[col] = table.at(r, col);
      ds_.tracks_.push_back(std::move(t));
    }
  }

  void read_test_order() {
    check(opt_.task.has_value(), "dataset", opt_.root.string(), "test split needs a task");
    ds_.task_ = *opt_.task;
    const fs::path path = test_meta_path(opt_.root, ds_.task_);
    check(fs::exists(path), "dataset", path.string(), "test metadata file not found");
    const auto table = io::JsonTable::load(path, "dataset");
    check(table.has_column("track_index"), "dataset", path.string(),
          "missing 'track_index' column");
    read_tracks(table, /*labels=*/false);
    if (opt_.with_labels) read_test_labels();
  }

  void read_test_labels() {
    const fs::path path = test_label_path(opt_.root);
    check(fs::exists(path), "dataset", path.string(), "test label file not found");
    const auto table = io::JsonTable::load(path, "dataset");
    const TaskInfo& info = task_info(ds_.task_);
    check(table.has_column(info.label_column) && table.has_column("track_index"), "dataset",
          path.string(), "missing 'track_index' or '" + info.label_column + "' column");
    std::unordered_map<std::string, std::vector<std::string>> answers;
    for (size_t r = 0; r < table.rows(); ++r)
      answers[validate_track_id(table.at(r, "track_index"), path.string())] = parse_label_cell(
          table.at(r, info.label_column), info.multi_label, path.string(), table.index_key(r));
    for (auto& t : ds_.tracks_) {
      auto it = answers.find(t.id);
      check(it != answers.end(), "dataset", path.string(), "no label for test track " + t.id);
      t.labels = it->second;
    }
  }

  fs::path meta_file(const std::string& name) const {
    fs::path p = meta_dir_path(opt_.root, ds_.split_) / name;
    if (!fs::exists(p) && ds_.split_ == Split::kTest)
      p = meta_dir_path(opt_.root, Split::kTrain) / name;  // competition: shared metadata
    return p;
  }

  static void merge_row(json& into, const io::JsonTable& table, size_t row,
                        const std::string& prefix, const std::string& skip) {
    for (const auto& col : table.columns())  // fills absent and null (missing) cells
      if (col != skip && (!into.contains(prefix + col) || into[prefix + col].is_null()))
        into[prefix + col] = table.at(row, col);
  }

  void join_metadata() {
    join_by_track("track_meta.json", "");
    join_by_track("lyric_meta.json", "");
    join_albums();
    join_artists();
  }

  void join_by_track(const std::string& name, const std::string& prefix) {
    const fs::path path = meta_file(name);
    if (!fs::exists(path)) return;
    const auto table = io::JsonTable::load(path, "metadata");
    if (!table.has_column("track_index")) return;
    const auto index = table.index_by("track_index");
    for (auto& t : ds_.tracks_) {
      auto it = index.find(t.id);
      if (it != index.end()) merge_row(t.meta, table, it->second, prefix, "track_index");
    }
  }

  void join_albums() {
    const fs::path path = meta_file("album_meta.json");
    if (!fs::exists(path)) return;
    const auto table = io::JsonTable::load(path, "metadata");
    if (!table.has_column("album_index")) return;
    const auto index = table.index_by("album_index");
    for (auto& t : ds_.tracks_) {
      if (!t.meta.contains("album_index")) continue;
      auto it = index.find(io::json_key(t.meta["album_index"]));
      if (it != index.end()) merge_row(t.meta, table, it->second, "album.", "album_index");
    }
  }

  void join_artists() {
    const fs::path path = meta_file("artist_meta.json");
    if (!fs::exists(path)) return;
    const auto table = io::JsonTable::load(path, "metadata");
    if (!table.has_column("artist_index")) return;
    const auto index = table.index_by("artist_index");
    for (auto& t : ds_.tracks_) {
      if (!t.meta.contains("artist_index_list") || !t.meta["artist_index_list"].is_array())
        continue;
      json artists = json::array();
      for (const auto& a : t.meta["artist_index_list"]) {
        auto it = index.find(io::json_key(a));
        if (it == index.end()) continue;
        json row = json::object();
        merge_row(row, table, it->second, "", "artist_index");
        artists.push_back(std::move(row));
      }
      t.meta["artists"] = std::move(artists);
    }
  }

  void check_spectrograms() {
    std::vector<Track> kept;
    std::string first_missing;
    for (auto& t : ds_.tracks_) {
      const fs::path p = find_spectrogram_file(ds_.mel_dir_, t.id);
      std::error_code ec;  // a symlink loop or a denied folder counts as missing
      if (fs::is_regular_file(p, ec)) {
        kept.push_back(std::move(t));
        continue;
      }
      if (first_missing.empty()) first_missing = p.string();
      ++ds_.skipped_missing_;
    }
    check(ds_.skipped_missing_ == 0 || opt_.skip_missing, "dataset", first_missing,
          "spectrogram file not found, or not a regular file (" +
              std::to_string(ds_.skipped_missing_) +
              " missing in all; train and cv take --skip-missing to go on without them)");
    ds_.tracks_ = std::move(kept);
    check(!ds_.tracks_.empty(), "dataset", ds_.mel_dir_.string(), "no usable tracks");
  }

  const DatasetOptions& opt_;
  Dataset ds_;
};

Dataset Dataset::load(const DatasetOptions& options, Split split) {
  return DatasetBuilder(options, split).build();
}

fs::path Dataset::spectrogram_file(const Track& track) const {
  return find_spectrogram_file(mel_dir_, track.id);
}

std::vector<std::string> Dataset::label_set() const {
  std::set<std::string> labels;
  for (const auto& t : tracks_) labels.insert(t.labels.begin(), t.labels.end());
  return {labels.begin(), labels.end()};
}

}  // namespace melclass::data
