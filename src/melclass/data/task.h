#pragma once
// The three AI Rush 2020 music tasks and how their label files look.

#include <optional>
#include <string>
#include <vector>

namespace melclass::data {

enum class Task { kStation, kMood, kGenre };

struct TaskInfo {
  Task task;
  std::string name;            ///< "station", "mood", "genre"
  std::string label_column;    ///< "station_name", "mood_tag", "genre"
  bool multi_label;            ///< mood: 1-5 tags per track
  std::string test_meta_file;  ///< "q1_test.json", ...
  std::string metric_name;     ///< "accuracy" or "micro_f1"
};

const TaskInfo& task_info(Task task);
/// "station" | "mood" | "genre"; throws Error("task", "", ...) otherwise.
Task parse_task(const std::string& name);
/// Detects the task from a label file's columns; nullopt when none matches.
std::optional<Task> detect_task(const std::vector<std::string>& columns);

}  // namespace melclass::data
