// data::load_spectrogram, compress, crop_or_pad.

#include <cmath>
#include <set>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "melclass/data/spectrogram.h"
#include "melclass/io/npy.h"

namespace fs = std::filesystem;
using namespace melclass::data;

namespace {

fs::path fixture(const std::string& name) { return fs::path(MELCLASS_FIXTURES) / "npy" / name; }

at::Tensor formula() {  // v[b, t] = b * 0.25 + t * 0.5
  return at::arange(128, at::kFloat).unsqueeze(1) * 0.25 + at::arange(5, at::kFloat) * 0.5;
}

// [2, T] with x[f, t] = 100 f + t, so each frame's original index is readable.
at::Tensor ramp(int64_t frames) {
  return at::arange(2, at::kFloat).unsqueeze(1) * 100 + at::arange(frames, at::kFloat);
}

}  // namespace

TEST(LoadSpectrogram, AcceptsBothLayoutsAndDtypes) {
  for (const char* name : {"good_f4_le.npy", "good_f2_be.npy", "good_f8_be_fortran.npy",
                           "good_f4_le_2d.npy", "good_f2_be_v3.npy"}) {
    SCOPED_TRACE(name);
    const at::Tensor x = load_spectrogram(fixture(name));
    ASSERT_EQ(x.sizes().vec(), (std::vector<int64_t>{128, 5}));
    EXPECT_EQ(x.scalar_type(), at::kFloat);
    EXPECT_TRUE(at::equal(x, formula()));
  }
}

TEST(LoadSpectrogram, OtherBandCount) {
  const at::Tensor x = load_spectrogram(fixture("bands64.npy"), 64);
  EXPECT_EQ(x.sizes().vec(), (std::vector<int64_t>{64, 5}));
}

TEST(LoadSpectrogram, RefusesInvalidContent) {
  struct Case {
    const char* file;
    std::string problem;
  };
  const std::vector<Case> cases = {
      {"nan.npy", "NaN or Inf"},        {"inf.npy", "NaN or Inf"},
      {"negative.npy", "negative"},     {"empty_t0.npy", "no frames (T = 0)"},
      {"bands64.npy", "128 mel bands"}, {"four_d.npy", "expected shape"},
      {"batch2.npy", "expected shape"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    const std::string path = fixture(c.file).string();
    EXPECT_MELCLASS_ERROR(load_spectrogram(path), "spectrogram: " + path + ": ", c.problem);
  }
}

// Finite but beyond any power mel: log10(1 + 10 x) would overflow to Inf.
TEST(LoadSpectrogram, RefusesAbsurdlyLargeValues) {
  melclass::testing::TempDir dir("spec");
  const auto path = dir / "huge.npy";
  melclass::io::write_npy(path, at::full({1, 128, 50}, 3e38, at::kFloat));
  EXPECT_MELCLASS_ERROR(load_spectrogram(path), "spectrogram: ", "values above 1e30");
  melclass::io::write_npy(path, at::full({1, 128, 50}, 1e20, at::kFloat));
  EXPECT_NO_THROW(load_spectrogram(path));
}

TEST(LoadSpectrogram, PassesOnFileErrors) {
  const std::string path = fixture("bad_truncated.npy").string();
  EXPECT_MELCLASS_ERROR(load_spectrogram(path), "npy: " + path, "truncated");
  EXPECT_MELCLASS_ERROR(load_spectrogram(fixture("bad_int32.npy")), "dtype");
}

TEST(CheckSpectrogramHeader, ShapeOnlyWithoutValues) {
  EXPECT_EQ(check_spectrogram_header(fixture("good_f2_be.npy")), 5);
  EXPECT_EQ(check_spectrogram_header(fixture("good_f4_le_2d.npy")), 5);
  EXPECT_EQ(check_spectrogram_header(fixture("bands64.npy"), 64), 5);
  // Values are not read: NaN passes the header check.
  EXPECT_EQ(check_spectrogram_header(fixture("nan.npy")), 5);
  EXPECT_MELCLASS_ERROR(check_spectrogram_header(fixture("empty_t0.npy")), "T = 0");
  EXPECT_MELCLASS_ERROR(check_spectrogram_header(fixture("bands64.npy")), "128 mel bands");
  EXPECT_MELCLASS_ERROR(check_spectrogram_header(fixture("batch2.npy")), "expected shape");
  EXPECT_MELCLASS_ERROR(check_spectrogram_header(fixture("bad_huge_shape.npy")), "truncated");
}

TEST(Compress, Log10OnePlusTen) {
  // log10(1 + 10 x): x = 0 -> 0, 0.9 -> log10(10) = 1, 9.9 -> log10(100) = 2.
  const at::Tensor y = compress(at::tensor({0.0f, 0.9f, 9.9f, 99.9f}), "log10_1p10");
  const at::Tensor want = at::tensor({0.0f, 1.0f, 2.0f, 3.0f});
  EXPECT_TRUE(at::allclose(y, want, 1e-6, 1e-6)) << y;
}

TEST(Compress, Decibels) {
  // 10 log10(max(x, 1e-10)): 1 -> 0, 10 -> 10, 100 -> 20, 0 -> 10 log10(1e-10) = -100.
  const at::Tensor y = compress(at::tensor({1.0f, 10.0f, 100.0f, 0.0f, 1e-3f}), "db");
  const at::Tensor want = at::tensor({0.0f, 10.0f, 20.0f, -100.0f, -30.0f});
  EXPECT_TRUE(at::allclose(y, want, 1e-5, 1e-4)) << y;
}

TEST(Compress, NoneAndUnknown) {
  const at::Tensor x = at::rand({3, 4});
  EXPECT_TRUE(at::equal(compress(x, "none"), x));
  EXPECT_MELCLASS_ERROR(compress(x, "log"), "unknown compression 'log'");
  EXPECT_NO_THROW(validate_compression("db"));
  EXPECT_MELCLASS_ERROR(validate_compression(""), "frontend");
}

TEST(CropOrPad, HeadTakesFirstFrames) {
  std::mt19937_64 rng(0);
  const at::Tensor y = crop_or_pad(ramp(10), 4, CropMode::kHead, rng);
  EXPECT_TRUE(at::equal(y, ramp(10).narrow(1, 0, 4)));
}

TEST(CropOrPad, CenterTakesMiddle) {
  std::mt19937_64 rng(0);
  // offset (10 - 4) / 2 = 3 -> frames 3..6; odd remainder (11 - 4) / 2 = 3 as well.
  EXPECT_EQ(crop_or_pad(ramp(10), 4, CropMode::kCenter, rng)[0][0].item<float>(), 3.0f);
  EXPECT_EQ(crop_or_pad(ramp(11), 4, CropMode::kCenter, rng)[1][0].item<float>(), 103.0f);
  EXPECT_EQ(crop_or_pad(ramp(10), 4, CropMode::kCenter, rng).size(1), 4);
}

TEST(CropOrPad, RandomCoversAllOffsetsAndIsSeeded) {
  std::mt19937_64 rng(7);
  std::set<int> offsets;
  for (int i = 0; i < 300; ++i) {
    const at::Tensor y = crop_or_pad(ramp(10), 4, CropMode::kRandom, rng);
    ASSERT_EQ(y.sizes().vec(), (std::vector<int64_t>{2, 4}));
    const int off = static_cast<int>(y[0][0].item<float>());
    // A contiguous window of the same frames in both bands.
    EXPECT_TRUE(at::equal(y, ramp(10).narrow(1, off, 4)));
    offsets.insert(off);
  }
  EXPECT_EQ(offsets, (std::set<int>{0, 1, 2, 3, 4, 5, 6}));
  std::mt19937_64 a(99), b(99);
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(at::equal(crop_or_pad(ramp(50), 8, CropMode::kRandom, a),
                          crop_or_pad(ramp(50), 8, CropMode::kRandom, b)));
}

TEST(CropOrPad, ShortTracksZeroPaddedAtTheEnd) {
  for (const CropMode mode : {CropMode::kHead, CropMode::kRandom, CropMode::kCenter}) {
    std::mt19937_64 rng(1);
    const at::Tensor y = crop_or_pad(ramp(3), 7, mode, rng);
    ASSERT_EQ(y.sizes().vec(), (std::vector<int64_t>{2, 7}));
    EXPECT_TRUE(at::equal(y.narrow(1, 0, 3), ramp(3)));
    EXPECT_TRUE(at::equal(y.narrow(1, 3, 4), at::zeros({2, 4})));
  }
}

TEST(CropOrPad, ExactLengthUnchangedAndBatchedInput) {
  std::mt19937_64 rng(1);
  EXPECT_TRUE(at::equal(crop_or_pad(ramp(6), 6, CropMode::kRandom, rng), ramp(6)));
  // Works on the last dimension of any rank.
  const at::Tensor batch = ramp(9).unsqueeze(0).repeat({3, 1, 1});
  EXPECT_EQ(crop_or_pad(batch, 4, CropMode::kHead, rng).sizes().vec(),
            (std::vector<int64_t>{3, 2, 4}));
}
