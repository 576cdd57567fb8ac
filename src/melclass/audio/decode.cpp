#include "melclass/audio/decode.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include <ATen/ATen.h>

#include "melclass/core/error.h"

namespace fs = std::filesystem;

namespace melclass::audio {

void validate(const DecodeOptions& options) {
  check(options.sample_rate > 0 && options.sample_rate <= 1000000, "audio", "",
        "sample rate must be in [1, 1000000] Hz");
  check(options.block_frames > 0, "audio", "", "block size must be positive");
}

bool is_audio_path(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".wav" || ext == ".flac" || ext == ".ogg" || ext == ".oga" || ext == ".mp3";
}

int64_t resampled_length(int64_t input_frames, int64_t input_rate, int64_t output_rate) {
  if (input_rate == output_rate) return input_frames;
  const __int128 scaled = static_cast<__int128>(input_frames) * output_rate;
  return static_cast<int64_t>((2 * scaled + input_rate) / (2 * static_cast<__int128>(input_rate)));
}

at::Tensor decode_audio(const fs::path& path, const DecodeOptions& options) {
  std::vector<float> samples;
  decode_audio(path, options, [&](const float* data, int64_t count) {
    samples.insert(samples.end(), data, data + count);
  });
  return at::from_blob(samples.data(), {static_cast<int64_t>(samples.size())}, at::kFloat).clone();
}

}  // namespace melclass::audio
