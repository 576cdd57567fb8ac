#include "melclass/data/track_path.h"

#include "melclass/core/error.h"
#include "melclass/io/json_table.h"

namespace melclass::data {

std::string validate_track_id(const nlohmann::json& id, const std::string& source) {
  const std::string key = io::json_key(id);
  check(!key.empty(), "dataset", source,
        "track id " + io::brief(id) + " is not an integer or a non-empty string");
  const bool unsafe = key.find('/') != std::string::npos || key.find('\\') != std::string::npos ||
                      key.find('\0') != std::string::npos || key.front() == '.' || key.size() > 200;
  if (unsafe) {
    const std::string shown = nlohmann::json(key).dump();  // escapes NUL and control bytes
    throw Error("dataset", source,
                "refusing track id '" + shown.substr(1, shown.size() - 2) +
                    "': it must be a plain file name inside the dataset root");
  }
  return key;
}

std::filesystem::path spectrogram_path(const std::filesystem::path& mel_dir,
                                       const std::string& id) {
  return mel_dir / (id + ".npy");
}

std::filesystem::path find_spectrogram_file(const std::filesystem::path& mel_dir,
                                            const std::string& id) {
  const std::filesystem::path npy = spectrogram_path(mel_dir, id);
  std::error_code ec;
  if (std::filesystem::is_regular_file(npy, ec)) return npy;
  for (const char* ext : {".wav", ".flac", ".ogg", ".oga", ".mp3"}) {
    std::filesystem::path audio = mel_dir / (id + ext);
    if (std::filesystem::is_regular_file(audio, ec)) return audio;
  }
  return npy;
}

}  // namespace melclass::data
