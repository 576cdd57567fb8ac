#include "cli_util.h"

#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace fs = std::filesystem;

namespace melclass::testing {

CommandResult run_melclass(const std::string& args) {
  const std::string cmd = std::string(MELCLASS_BIN) + " " + args + " 2>&1";
  CommandResult r;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

TempDir::TempDir(const std::string& tag) {
  static std::atomic<int> counter{0};
  path_ = fs::temp_directory_path() /
          ("melclass-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void make_dataset(const fs::path& root, const std::string& task, int tracks) {
  const auto r = run_melclass("synth --task " + task + " --out " + root.string() + " --tracks " +
                              std::to_string(tracks) +
                              " --seed 1 --min-seconds 5 --max-seconds 20 --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool is_one_clear_error(const std::string& output) {
  std::string text = output;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  const size_t start = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
  const std::string last = text.substr(start);
  return last.rfind("melclass: error: ", 0) == 0 &&
         output.find("Exception raised from") == std::string::npos &&
         output.find("frame #") == std::string::npos &&
         output.find("terminate called") == std::string::npos;
}

}  // namespace melclass::testing
