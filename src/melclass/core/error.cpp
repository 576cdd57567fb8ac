#include "melclass/core/error.h"

#include <c10/util/Exception.h>

namespace melclass {
namespace {
std::string compose(const std::string& component, const std::string& file,
                    const std::string& message) {
  std::string out = component;
  if (!file.empty()) out += ": " + file;
  return out + ": " + message;
}

std::string first_line(const std::string& text) {
  auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}
}  // namespace

Error::Error(std::string component, std::string file, std::string message)
    : std::runtime_error(compose(component, file, message)),
      component_(std::move(component)),
      file_(std::move(file)),
      message_(std::move(message)) {}

void check(bool condition, const std::string& component, const std::string& file,
           const std::string& message) {
  if (!condition) throw Error(component, file, message);
}

std::string describe_exception(const std::exception& e) {
  if (const auto* c10 = dynamic_cast<const c10::Error*>(&e)) {
    return "torch: " + first_line(c10->what_without_backtrace());
  }
  if (dynamic_cast<const std::bad_alloc*>(&e)) return "out of memory";
  return first_line(e.what());
}

}  // namespace melclass
