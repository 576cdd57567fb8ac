#include "melclass/core/atomic_file.h"

#include <fstream>
#include <sstream>

#include <unistd.h>

#include "melclass/core/error.h"

namespace fs = std::filesystem;

namespace melclass {
namespace {
fs::path temp_sibling(const fs::path& path) {
  auto name = "." + path.filename().string() + ".tmp" + std::to_string(::getpid());
  return path.parent_path() / name;
}
}  // namespace

void write_path_atomically(const fs::path& path,
                           const std::function<void(const std::string&)>& write) {
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

std::string read_text_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  check(in.good(), "io", path.string(), "cannot open for reading");
  std::ostringstream ss;
  ss << in.rdbuf();
  check(!in.bad(), "io", path.string(), "read failed");
  return ss.str();
}

}  // namespace melclass
