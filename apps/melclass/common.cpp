#include "commands.h"

#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"
#include "melclass/core/runtime.h"
#include "melclass/io/json_table.h"

namespace melclass::app {

CLI::Option* add_threads_option(CLI::App& cmd, int& threads, const std::string& help) {
  return cmd.add_option("--threads", threads, help + " (default 0: all cores)")
      ->check(CLI::Range(0, kMaxThreads));
}

nlohmann::json load_config_file(const std::string& path) {
  if (path.empty()) return nlohmann::json::object();
  try {
    auto j = io::parse_json(read_text_file(path), path);
    check(j.is_object(), "config", path, "expected a JSON object");
    return j;
  } catch (const nlohmann::json::exception&) {
    throw Error("config", path, "malformed JSON");
  }
}

}  // namespace melclass::app
