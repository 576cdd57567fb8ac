#pragma once
// Helpers to run the melclass executable and build small datasets for it.

#include <filesystem>
#include <string>

namespace melclass::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  ///< stdout and stderr together
};

/// Runs `MELCLASS_BIN args` through the shell, capturing output.
CommandResult run_melclass(const std::string& args);

/// A fresh empty temporary folder, removed by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& tag);
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

/// `melclass synth --task TASK --out ROOT --tracks N --seed 1` with short
/// tracks (5-20 s); asserts success.
void make_dataset(const std::filesystem::path& root, const std::string& task, int tracks = 24);

void write_text(const std::filesystem::path& path, const std::string& text);
std::string read_text(const std::filesystem::path& path);

/// True when the output looks like a single clear error line: exactly one line
/// starting with "melclass: error:" and no LibTorch stack trace.
bool is_one_clear_error(const std::string& output);

}  // namespace melclass::testing
