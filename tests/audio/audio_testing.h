#pragma once
// Shared by the audio tests: fixture paths and the dB comparison of
// tests/fixtures/audio/README.md.

#include <filesystem>
#include <string>

#include <ATen/ATen.h>

namespace melclass::testing {

inline std::filesystem::path audio_fixture(const std::string& name) {
  return std::filesystem::path(MELCLASS_FIXTURES) / "audio" / name;
}

/// |dB(ours) - dB(reference)|, dB(x) = 10 log10(x + 1e-10), over the bins whose
/// reference exceeds 1e-6 of the reference's maximum, on the frames both have.
/// When the frame counts differ (MP3 decoders end the stream at different
/// samples), the last common frame is left out too: its window reaches past
/// the shorter decode's end, into its zero padding.
struct DbError {
  double max = 0;
  double mean = 0;
  int64_t bins = 0;  ///< bins compared
};

inline DbError db_error(const at::Tensor& ours, const at::Tensor& reference) {
  int64_t frames = std::min(ours.size(-1), reference.size(-1));
  if (ours.size(-1) != reference.size(-1) && frames > 1) --frames;
  const at::Tensor a = ours.to(at::kDouble).narrow(-1, 0, frames);
  const at::Tensor r = reference.to(at::kDouble).narrow(-1, 0, frames);
  const at::Tensor mask = r > 1e-6 * r.max();
  const at::Tensor diff =
      (10.0 * at::log10(a + 1e-10) - 10.0 * at::log10(r + 1e-10)).abs().masked_select(mask);
  DbError e;
  e.bins = diff.numel();
  if (e.bins > 0) {
    e.max = diff.max().item<double>();
    e.mean = diff.mean().item<double>();
  }
  return e;
}

}  // namespace melclass::testing
