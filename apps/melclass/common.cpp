#include "commands.h"

#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"

namespace melclass::app {

nlohmann::json load_config_file(const std::string& path) {
  if (path.empty()) return nlohmann::json::object();
  try {
    auto j = nlohmann::json::parse(read_text_file(path));
    check(j.is_object(), "config", path, "expected a JSON object");
    return j;
  } catch (const nlohmann::json::exception&) {
    throw Error("config", path, "malformed JSON");
  }
}

}  // namespace melclass::app
