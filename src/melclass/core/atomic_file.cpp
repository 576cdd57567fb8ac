#include "melclass/core/atomic_file.h"

#include <fstream>
#include <sstream>

#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "melclass/core/error.h"

namespace fs = std::filesystem;

namespace melclass {
namespace {
// Hidden sibling names: the target's name cut to 200 bytes, so that the tag
// and pid never push a legal name past the 255-byte limit.
std::string sibling_prefix(const fs::path& path, const char* tag) {
  return "." + path.filename().string().substr(0, 200) + tag;
}

fs::path temp_sibling(const fs::path& path, const char* tag = ".tmp") {
  return path.parent_path() / (sibling_prefix(path, tag) + std::to_string(::getpid()));
}

// An existing parent that is not a folder, named as such (not as a raw
// filesystem_error from create_directories).
void check_parent(const fs::path& path, const fs::path& given) {
  std::error_code ec;
  for (fs::path p = path.parent_path(); !p.empty(); p = p.parent_path()) {
    const auto st = fs::status(p, ec);
    if (fs::exists(st)) {
      check(fs::is_directory(st), "io", given.string(),
            "cannot write there: " + p.string() + " is not a folder");
      return;
    }
    if (p == p.parent_path()) return;
  }
}

// The file a write to `path` should replace: `path`, or a live link's target.
fs::path write_target(const fs::path& path) {
  std::error_code ec;
  const auto link = fs::symlink_status(path, ec);
  check(!ec || ec == std::errc::no_such_file_or_directory, "io", path.string(),
        "cannot inspect: " + ec.message());
  if (!fs::is_symlink(link)) return path;
  check(fs::exists(fs::status(path, ec)), "io", path.string(),
        "is a dangling symbolic link: not followed, not replaced");
  const fs::path target = fs::canonical(path, ec);
  check(!ec, "io", path.string(), "cannot follow the link: " + ec.message());
  return target;
}

// Removes hidden `.NAME.partial<pid>` / `.NAME.old<pid>` siblings left by runs
// into the same folder whose process is gone (killed midway).
void remove_dead_siblings(const fs::path& path) {
  std::error_code ec;
  const fs::path parent = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  for (const char* tag : {".partial", ".old"}) {
    const std::string prefix = sibling_prefix(path, tag);
    for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (name.rfind(prefix, 0) != 0) continue;
      const std::string pid = name.substr(prefix.size());
      if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
      const long id = std::stol(pid);
      if (id != ::getpid() && ::kill(static_cast<pid_t>(id), 0) == -1 && errno == ESRCH)
        fs::remove_all(it->path(), ec);
    }
  }
}

// Moves the finished `tmp` to `path`, the folder there (if any) out of the way
// first. Another process may do the same at once: retried a few times.
void move_into_place(const fs::path& tmp, const fs::path& path) {
  std::error_code ec;
  const fs::path old = temp_sibling(path, ".old");
  for (int attempt = 0;; ++attempt) {
    fs::remove_all(old, ec);    // ours (this pid): a previous attempt's
    fs::rename(path, old, ec);  // absent (or just taken by another run): fine
    fs::rename(tmp, path, ec);
    if (!ec) break;
    check(attempt < 5, "io", path.string(),
          "cannot move the new folder into place: " + ec.message());
  }
  fs::remove_all(old, ec);
}

// check_output_file, returning the file to write (a live link's target).
fs::path checked_output_file(const fs::path& given) {
  const fs::path path = write_target(given);
  std::error_code ec;
  const auto st = fs::status(path, ec);
  check(!fs::exists(st) || fs::is_regular_file(st), "io", given.string(),
        fs::is_directory(st) ? "is a folder, not a file" : "exists and is not a regular file");
  const std::string name = path.filename().string();
  check(!name.empty() && name != "." && name != "..", "io", given.string(), "not a file name");
  check_parent(path, given);
  return path;
}

// The folder a folder write names: `given` without a trailing separator.
fs::path folder_path(const fs::path& given) {
  return given.filename().empty() ? given.parent_path() : given;
}
}  // namespace

void check_output_file(const fs::path& given) { checked_output_file(given); }

void write_path_atomically(const fs::path& given,
                           const std::function<void(const std::string&)>& write) {
  const fs::path path = checked_output_file(given);
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

void write_file_atomically(const fs::path& path, const std::function<void(std::ostream&)>& write) {
  write_path_atomically(path, [&](const std::string& tmp) {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    check(out.good(), "io", path.string(), "cannot open for writing");
    write(out);
    out.flush();
    check(out.good(), "io", path.string(), "write failed (disk full?)");
  });
}

void check_output_folder(const fs::path& given,
                         const std::function<bool(const fs::path&)>& may_replace) {
  const fs::path path = folder_path(given);
  const std::string name = path.filename().string();
  check(!name.empty() && name != "." && name != "..", "io", given.string(),
        "name a folder to create or replace, not '" + given.string() + "'");
  std::error_code ec;
  check(!fs::is_symlink(fs::symlink_status(path, ec)), "io", path.string(),
        "is a symbolic link: name the folder itself");
  const auto st = fs::status(path, ec);
  check(!fs::exists(st) || fs::is_directory(st), "io", path.string(), "exists and is not a folder");
  check(!fs::exists(st) || fs::is_empty(path, ec) || may_replace(path), "io", path.string(),
        "exists and holds files melclass did not write: not replaced (name a new folder)");
  check_parent(path, given);
}

void write_folder_atomically(const fs::path& given,
                             const std::function<void(const fs::path&)>& write,
                             const std::function<bool(const fs::path&)>& may_replace) {
  check_output_folder(given, may_replace);
  const fs::path path = folder_path(given);
  const fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
  fs::create_directories(parent);
  remove_dead_siblings(path);
  const fs::path tmp = temp_sibling(path, ".partial");
  std::error_code ec;
  fs::remove_all(tmp, ec);
  try {
    fs::create_directory(tmp);
    write(tmp);
    move_into_place(tmp, path);
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
}

bool folder_holds_only(const fs::path& folder,
                       const std::function<bool(const fs::directory_entry&)>& ours) {
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
    if (!ours(*it)) return false;
  return !ec;
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
