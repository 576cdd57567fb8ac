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
/// Both refuse (Error "io", through check_output_file) a `path` that exists and
/// is not a regular file (a folder, a device, a FIFO): renaming over it would
/// replace it. A symbolic link is followed: its target is written, the link
/// stays; a dangling one is refused.
void write_path_atomically(const std::filesystem::path& path,
                           const std::function<void(const std::string&)>& write);

/// The checks write_path_atomically makes before writing, for callers that
/// must refuse an output before long work: not a folder, device or FIFO, not a
/// dangling link, a real file name, no existing parent that is a file.
void check_output_file(const std::filesystem::path& path);

/// The checks write_folder_atomically makes before writing (see there).
void check_output_folder(const std::filesystem::path& path,
                         const std::function<bool(const std::filesystem::path&)>& may_replace);

/// Calls `write(tmp)` with a fresh temporary folder next to `path`
/// (".<name>.partial<pid>"), then moves it to `path`, replacing the folder
/// already there. On any exception the temporary folder is removed and the
/// exception propagates; `path` is left as it was. Throws Error("io") up front
/// when `path` is a symbolic link, exists and is not a folder, or is a
/// non-empty folder for which `may_replace(path)` is false (so that `--out
/// ~/music` never wipes a folder the program did not write). Hidden siblings
/// left by earlier runs into `path` that were killed midway (their process is
/// gone) are removed first; when several processes write `path` at once, the
/// last to finish wins and none fails.
void write_folder_atomically(const std::filesystem::path& path,
                             const std::function<void(const std::filesystem::path&)>& write,
                             const std::function<bool(const std::filesystem::path&)>& may_replace);

/// Whether every entry of `folder` passes `ours` (the ownership tests that
/// decide what write_folder_atomically may replace); false for an unreadable
/// folder.
bool folder_holds_only(const std::filesystem::path& folder,
                       const std::function<bool(const std::filesystem::directory_entry&)>& ours);

/// Reads a whole file; throws Error("io", path, ...) when unreadable.
std::string read_text_file(const std::filesystem::path& path);

}  // namespace melclass
