#include "melclass/data/task.h"

#include <algorithm>
#include <array>

#include "melclass/core/error.h"

namespace melclass::data {
namespace {
const std::array<TaskInfo, 3>& all_tasks() {
  static const std::array<TaskInfo, 3> kTasks = {{
      {Task::kStation, "station", "station_name", false, "q1_test.json", "accuracy"},
      {Task::kMood, "mood", "mood_tag", true, "q2_test.json", "micro_f1"},
      {Task::kGenre, "genre", "genre", false, "q3_test.json", "accuracy"},
  }};
  return kTasks;
}
}  // namespace

const TaskInfo& task_info(Task task) { return all_tasks()[static_cast<size_t>(task)]; }

Task parse_task(const std::string& name) {
  for (const auto& info : all_tasks())
    if (info.name == name) return info.task;
  throw Error("task", "", "unknown task '" + name + "' (use station, mood or genre)");
}

std::optional<Task> detect_task(const std::vector<std::string>& columns) {
  auto has = [&](const std::string& c) {
    return std::find(columns.begin(), columns.end(), c) != columns.end();
  };
  if (has("station_name")) return Task::kStation;
  if (has("mood_tag")) return Task::kMood;
  if (has("genre")) return Task::kGenre;
  return std::nullopt;
}

}  // namespace melclass::data
