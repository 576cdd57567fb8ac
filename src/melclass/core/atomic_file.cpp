#include "melclass/core/atomic_file.h"

#include <fstream>
#include <sstream>

#include <unistd.h>

#include "melclass/core/error.h"

namespace fs = std::filesystem;

namespace melclass {
namespace {
fs::path temp_sibling(const fs::path& path, const char* tag = ".tmp") {
  auto name = "." + path.filename().string() + tag + std::to_string(::getpid());
  return path.parent_path() / name;
}

// The file a write to `path` should replace: `path`, or a link's target.
fs::path write_target(const fs::path& path) {
  std::error_code ec;
  const auto link = fs::symlink_status(path, ec);
  check(!ec || ec == std::errc::no_such_file_or_directory, "io", path.string(),
        "cannot inspect: " + ec.message());
  if (!fs::is_symlink(link)) return path;
  const fs::path target = fs::weakly_canonical(path, ec);
  check(!ec, "io", path.string(), "cannot follow the link: " + ec.message());
  return target;
}
}  // namespace

void write_path_atomically(const fs::path& given,
                           const std::function<void(const std::string&)>& write) {
  const fs::path path = write_target(given);
  std::error_code ec;
  const auto st = fs::status(path, ec);
  check(!fs::exists(st) || fs::is_regular_file(st), "io", given.string(),
        fs::is_directory(st) ? "is a folder, not a file" : "exists and is not a regular file");
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  const fs::path tmp = temp_sibling(path);
  try {
    write(tmp.string());
    fs::rename(tmp, path);
  } catch (...) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw;
  }
}

void write_file_atomically(const fs::path& path,
                           const std::function<void(std::ostream&)>& write) {
  write_path_atomically(path, [&](const std::string& tmp) {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    check(out.good(), "io", path.string(), "cannot open for writing");
    write(out);
    out.flush();
    check(out.good(), "io", path.string(), "write failed (disk full?)");
  });
}

void write_folder_atomically(const fs::path& given,
                             const std::function<void(const fs::path&)>& write,
                             const std::function<bool(const fs::path&)>& may_replace) {
  const fs::path path = given.filename().empty() ? given.parent_path() : given;
  const std::string name = path.filename().string();
  check(!name.empty() && name != "." && name != "..", "io", given.string(),
        "name a folder to create or replace, not '" + given.string() + "'");
  std::error_code ec;
  const auto st = fs::status(path, ec);
  check(!fs::exists(st) || fs::is_directory(st), "io", path.string(), "exists and is not a folder");
  check(!fs::exists(st) || fs::is_empty(path) || may_replace(path), "io", path.string(),
        "exists and holds other files: not replaced (name a new folder)");
  const fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
  fs::create_directories(parent);
  const fs::path tmp = temp_sibling(path, ".partial");
  fs::remove_all(tmp);
  try {
    fs::create_directory(tmp);
    write(tmp);
    const fs::path old = temp_sibling(path, ".old");
    if (fs::exists(path)) fs::rename(path, old);
    fs::rename(tmp, path);
    fs::remove_all(old, ec);
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
}

std::string read_text_file(const fs::path& path) {
  std::error_code ec;
  check(!fs::is_directory(path, ec), "io", path.string(), "is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  check(in.good(), "io", path.string(), "cannot open for reading");
  std::ostringstream ss;
  ss << in.rdbuf();
  check(!in.bad(), "io", path.string(), "read failed");
  return ss.str();
}

}  // namespace melclass
