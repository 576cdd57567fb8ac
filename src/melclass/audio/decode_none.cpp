// decode.h's decoding functions in a build without libsndfile/libsoxr
// (MELCLASS_AUDIO_DECODE=OFF, e.g. on a GPU image where nothing can be
// installed): every call names the file and says why it cannot be read.
#include "melclass/audio/decode.h"
#include "melclass/core/error.h"

namespace fs = std::filesystem;

namespace melclass::audio {
namespace {

[[noreturn]] void no_decoding(const fs::path& path) {
  throw Error("audio", path.string(),
              "cannot decode: this melclass was built without audio decoding "
              "(MELCLASS_AUDIO_DECODE=OFF; needs libsndfile and libsoxr)");
}

}  // namespace

bool audio_decoding_available() { return false; }

AudioInfo probe_audio(const fs::path& path) { no_decoding(path); }

void decode_audio(const fs::path& path, const DecodeOptions& options, const SampleSink&) {
  validate(options);
  no_decoding(path);
}

}  // namespace melclass::audio
