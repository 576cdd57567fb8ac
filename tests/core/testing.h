#pragma once
// Small helpers shared by the unit tests (header-only; include as "core/testing.h").

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "melclass/core/error.h"

namespace melclass::testing {

/// A fresh directory under the system temp dir, removed with its content on
/// destruction (set MELCLASS_KEEP_TEST_DIRS=1 to keep it for debugging).
class TempDir {
 public:
  explicit TempDir(const std::string& tag = "t") {
    static std::atomic<int> counter{0};
    std::random_device rd;
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = "melclass-" + tag + "-";
    if (info) name += std::string(info->name()) + "-";
    name += std::to_string(rd()) + "-" + std::to_string(counter++);
    for (char& c : name)
      if (c == '/') c = '_';
    path_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    if (std::getenv("MELCLASS_KEEP_TEST_DIRS")) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& rel) const { return path_ / rel; }

 private:
  std::filesystem::path path_;
};

/// Writes `text` to `path`, creating parent folders.
inline void write_text(const std::filesystem::path& path, const std::string& text) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

inline void write_json(const std::filesystem::path& path, const nlohmann::json& j) {
  write_text(path, j.dump());
}

/// Number of entries directly in `dir` (files, folders, links).
inline size_t count_entries(const std::filesystem::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

inline std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Runs `fn`, which must throw melclass::Error; returns its what() ("" and a
/// test failure otherwise).
template <typename Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const melclass::Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected melclass::Error, got another exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected melclass::Error, nothing was thrown";
  return "";
}

}  // namespace melclass::testing

/// EXPECT that `stmt` throws melclass::Error whose what() contains each of the
/// given substrings.
#define EXPECT_MELCLASS_ERROR(stmt, ...)                                                      \
  do {                                                                                        \
    const std::string melclass_what_ = ::melclass::testing::error_of([&] { stmt; });          \
    for (const std::string& melclass_part_ : std::initializer_list<std::string>{__VA_ARGS__}) \
      EXPECT_NE(melclass_what_.find(melclass_part_), std::string::npos)                       \
          << "error message \"" << melclass_what_ << "\" lacks \"" << melclass_part_ << "\""; \
  } while (0)
