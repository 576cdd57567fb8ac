#pragma once
// Turning a track id from a label file into a spectrogram path, safely.

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace melclass::data {

/// Renders a track id (JSON integer or string) as text. Throws
/// Error("dataset", source, ...) for other types, empty strings, and ids that
/// are not a plain file name (path separators, "..", NUL, leading "."), so that
/// no id can resolve outside the dataset root.
std::string validate_track_id(const nlohmann::json& id, const std::string& source);

/// mel_dir / (id + ".npy"); `id` must have passed validate_track_id.
std::filesystem::path spectrogram_path(const std::filesystem::path& mel_dir, const std::string& id);

/// The file holding a track's spectrogram: mel_dir/<id>.npy when it exists,
/// else the first existing audio file mel_dir/<id>.{wav,flac,ogg,oga,mp3}
/// (converted on load, see load_spectrogram), else mel_dir/<id>.npy.
std::filesystem::path find_spectrogram_file(const std::filesystem::path& mel_dir,
                                            const std::string& id);

}  // namespace melclass::data
