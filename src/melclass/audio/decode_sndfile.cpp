// decode.h's decoding functions on libsndfile (decoding) and libsoxr
// (resampling); built when MELCLASS_AUDIO_DECODE is ON (the default).
#include <algorithm>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <sndfile.h>
#include <soxr.h>

#include "melclass/audio/decode.h"
#include "melclass/core/error.h"

namespace fs = std::filesystem;

namespace melclass::audio {
namespace {

struct SndfileCloser {
  void operator()(SNDFILE* file) const { sf_close(file); }
};
using SndfilePtr = std::unique_ptr<SNDFILE, SndfileCloser>;

struct SoxrDeleter {
  void operator()(soxr_t resampler) const { soxr_delete(resampler); }
};
using SoxrPtr = std::unique_ptr<std::remove_pointer_t<soxr_t>, SoxrDeleter>;

Error decode_error(const fs::path& path, const std::string& reason) {
  return Error("audio", path.string(), "cannot decode: " + reason);
}

SndfilePtr open_audio(const fs::path& path, SF_INFO& info) {
  info = SF_INFO{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (file == nullptr) throw decode_error(path, sf_strerror(nullptr));
  SndfilePtr owned(file);
  if (info.samplerate <= 0 || info.channels <= 0)
    throw decode_error(path, "invalid sample rate or channel count in the header");
  // Real recordings lie within 1 kHz - 1 MHz; a header outside it is corrupt
  // (1 Hz would resample each sample to 16000).
  if (info.samplerate < kMinSampleRate || info.samplerate > kMaxSampleRate)
    throw decode_error(
        path, "implausible sample rate " + std::to_string(info.samplerate) + " Hz in the header");
  return owned;
}

// Resamples a mono stream from in_rate to out_rate (a pass-through when they
// are equal) and delivers exactly resampled_length(input so far) samples.
class MonoResampler {
 public:
  MonoResampler(int64_t in_rate, int64_t out_rate, const fs::path& path, const SampleSink& sink)
      : in_rate_(in_rate), out_rate_(out_rate), path_(path), sink_(sink) {
    if (in_rate == out_rate) return;
    soxr_error_t error = nullptr;
    const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
    soxr_.reset(soxr_create(static_cast<double>(in_rate), static_cast<double>(out_rate), 1, &error,
                            &io, &quality, nullptr));
    if (error != nullptr || !soxr_)
      throw decode_error(path,
                         std::string("soxr: ") + (error ? error : "cannot create a resampler"));
  }

  void push(const float* mono, int64_t count) {
    in_total_ += count;
    if (!soxr_) return emit(mono, count);
    const size_t capacity = static_cast<size_t>(count * out_rate_ / in_rate_ + 256);
    if (out_.size() < capacity) out_.resize(capacity);
    size_t consumed = 0;
    while (consumed < static_cast<size_t>(count)) {
      size_t in_done = 0, out_done = 0;
      run(mono + consumed, static_cast<size_t>(count) - consumed, &in_done, &out_done);
      consumed += in_done;
      emit(out_.data(), static_cast<int64_t>(out_done));
    }
  }

  void finish() {
    if (soxr_) {
      if (out_.empty()) out_.resize(4096);
      for (size_t out_done = 1; out_done > 0;) {  // drain the filter's tail
        run(nullptr, 0, nullptr, &out_done);
        emit(out_.data(), static_cast<int64_t>(out_done));
      }
    }
    const std::vector<float> zeros(4096, 0.0f);
    while (emitted_ < limit()) emit(zeros.data(), static_cast<int64_t>(zeros.size()));
  }

 private:
  int64_t limit() const { return resampled_length(in_total_, in_rate_, out_rate_); }

  void run(const float* in, size_t in_len, size_t* in_done, size_t* out_done) {
    soxr_error_t error =
        soxr_process(soxr_.get(), in, in_len, in_done, out_.data(), out_.size(), out_done);
    if (error != nullptr) throw decode_error(path_, std::string("soxr: ") + error);
  }

  void emit(const float* samples, int64_t count) {
    count = std::min(count, limit() - emitted_);
    if (count <= 0) return;
    sink_(samples, count);
    emitted_ += count;
  }

  int64_t in_rate_, out_rate_;
  fs::path path_;
  const SampleSink& sink_;
  SoxrPtr soxr_;
  std::vector<float> out_;
  int64_t in_total_ = 0, emitted_ = 0;
};

}  // namespace

bool audio_decoding_available() { return true; }

AudioInfo probe_audio(const fs::path& path) {
  SF_INFO info;
  open_audio(path, info);
  return {info.samplerate, info.channels, static_cast<int64_t>(info.frames)};
}

void decode_audio(const fs::path& path, const DecodeOptions& options, const SampleSink& sink) {
  validate(options);
  SF_INFO info;
  SndfilePtr file = open_audio(path, info);
  MonoResampler resampler(info.samplerate, options.sample_rate, path, sink);
  const int64_t channels = info.channels;
  std::vector<float> interleaved(static_cast<size_t>(options.block_frames * channels));
  std::vector<float> mono(static_cast<size_t>(options.block_frames));
  for (;;) {
    const sf_count_t got = sf_readf_float(file.get(), interleaved.data(), options.block_frames);
    if (got <= 0) break;
    if (channels == 1) {  // already mono
      resampler.push(interleaved.data(), got);
      continue;
    }
    for (sf_count_t i = 0; i < got; ++i) {
      float sum = 0.0f;
      for (int64_t c = 0; c < channels; ++c) sum += interleaved[i * channels + c];
      mono[i] = sum / static_cast<float>(channels);
    }
    resampler.push(mono.data(), got);
  }
  if (sf_error(file.get()) != SF_ERR_NO_ERROR) throw decode_error(path, sf_strerror(file.get()));
  resampler.finish();
}

}  // namespace melclass::audio
