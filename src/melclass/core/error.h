#pragma once
// Library-wide exception type. Every error the library raises names the
// component that detected it and the file it concerns, so the CLI can print
// one clear line ("npy: data/3.npy: file is truncated ...").

#include <stdexcept>
#include <string>

namespace melclass {

class Error : public std::runtime_error {
 public:
  /// component: short stage name ("npy", "dataset", "train"); file: path or "".
  Error(std::string component, std::string file, std::string message);

  const std::string& component() const { return component_; }
  const std::string& file() const { return file_; }
  const std::string& message() const { return message_; }

 private:
  std::string component_;
  std::string file_;
  std::string message_;
};

/// Throws Error(component, file, message) when `condition` is false.
void check(bool condition, const std::string& component, const std::string& file,
           const std::string& message);

/// One line describing any exception: the first line of what(), without the
/// C++ stack trace that LibTorch appends to its own errors.
std::string describe_exception(const std::exception& e);

}  // namespace melclass
