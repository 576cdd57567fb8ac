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
void write_path_atomically(const std::filesystem::path& path,
                           const std::function<void(const std::string&)>& write);

/// Reads a whole file; throws Error("io", path, ...) when unreadable.
std::string read_text_file(const std::filesystem::path& path);

}  // namespace melclass
