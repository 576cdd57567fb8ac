#pragma once
// Writes that never leave a partial file behind: content goes to a temporary
// sibling and is renamed over the target only when complete.

#include <filesystem>
#include <functional>
#include <ostream>
#include <string>

namespace melclass {

/// Calls `write(stream)` on a temporary file next to `path`, then renames it
/// to `path`. On any exception the temporary file is removed and the
/// exception propagates; `path` is left untouched.
void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(std::ostream&)>& write);

/// Same for writers that need a file name (e.g. torch::save).
/// Both refuse (Error "io") a `path` that exists and is not a regular file (a
/// folder, a device, a FIFO): renaming over it would replace it. A symbolic
/// link is followed: its target is written, the link stays.
void write_path_atomically(const std::filesystem::path& path,
                           const std::function<void(const std::string&)>& write);

/// Calls `write(tmp)` with a fresh temporary folder next to `path`
/// (".<name>.partial<pid>"), then moves it to `path`, replacing the folder
/// already there. On any exception the temporary folder is removed and the
/// exception propagates; `path` is left as it was. Throws Error("io") up front
/// when `path` exists and is not a folder, or is a non-empty folder for which
/// `may_replace(path)` is false (so that `--out ~/music` never wipes a folder
/// the program did not write).
void write_folder_atomically(const std::filesystem::path& path,
                             const std::function<void(const std::filesystem::path&)>& write,
                             const std::function<bool(const std::filesystem::path&)>& may_replace);

/// Reads a whole file; throws Error("io", path, ...) when unreadable.
std::string read_text_file(const std::filesystem::path& path);

}  // namespace melclass
