// io::read_npy / read_npy_header / write_npy against files NumPy wrote
// (tests/fixtures/npy, made by make_fixtures.py) and hand-built headers.

#include <cstring>
#include <random>
#include <stdexcept>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "melclass/io/npy.h"

namespace fs = std::filesystem;
using melclass::testing::read_bytes;
using melclass::testing::TempDir;
using melclass::testing::write_text;
namespace io = melclass::io;

namespace {

fs::path fixture(const std::string& name) { return fs::path(MELCLASS_FIXTURES) / "npy" / name; }

// The fixture formula: v[b, t] = b * 0.25 + t * 0.5, exact in float16.
at::Tensor expected_2d(int64_t bands = 128, int64_t frames = 5) {
  const at::Tensor b = at::arange(bands, at::kFloat).unsqueeze(1);
  const at::Tensor t = at::arange(frames, at::kFloat).unsqueeze(0);
  return b * 0.25 + t * 0.5;
}

// A version 1.0 file with header dict `dict` (padded as NumPy does) and raw `data`.
std::string npy_bytes(std::string dict, const std::string& data) {
  const size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>(dict.size() >> 8);
  return out + dict + data;
}

std::string float_bytes(const std::vector<float>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

struct GoodCase {
  const char* file;
  std::vector<int64_t> shape;
  int item_size;
  bool little_endian;
  bool fortran;
  int version;
};

const std::vector<GoodCase>& good_cases() {
  static const std::vector<GoodCase> kCases = {
      {"good_f2_le.npy", {1, 128, 5}, 2, true, false, 1},
      {"good_f2_be.npy", {1, 128, 5}, 2, false, false, 1},
      {"good_f4_le.npy", {1, 128, 5}, 4, true, false, 1},
      {"good_f4_be.npy", {1, 128, 5}, 4, false, false, 1},
      {"good_f8_le.npy", {1, 128, 5}, 8, true, false, 1},
      {"good_f8_be.npy", {1, 128, 5}, 8, false, false, 1},
      {"good_f4_le_fortran.npy", {1, 128, 5}, 4, true, true, 1},
      {"good_f8_be_fortran.npy", {1, 128, 5}, 8, false, true, 1},
      {"good_f4_le_fortran_2d.npy", {128, 5}, 4, true, true, 1},
      {"good_f4_le_2d.npy", {128, 5}, 4, true, false, 1},
      {"good_f2_be_2d.npy", {128, 5}, 2, false, false, 1},
      {"good_f4_le_v2.npy", {1, 128, 5}, 4, true, false, 2},
      {"good_f2_be_v3.npy", {1, 128, 5}, 2, false, false, 3},
      {"good_f8_le_fortran_v3.npy", {1, 128, 5}, 8, true, true, 3},
  };
  return kCases;
}

}  // namespace

TEST(NpyRead, GoodFixturesHaveExactValues) {
  for (const auto& c : good_cases()) {
    SCOPED_TRACE(c.file);
    const at::Tensor x = io::read_npy(fixture(c.file));
    EXPECT_EQ(x.scalar_type(), at::kFloat);
    EXPECT_TRUE(x.is_contiguous());
    ASSERT_EQ(x.sizes().vec(), c.shape);
    const at::Tensor want = expected_2d().reshape(c.shape);
    EXPECT_TRUE(at::equal(x, want)) << "max abs diff " << (x - want).abs().max().item<float>();
    // Spot checks, independent of the formula tensor: v[b=127, t=4] = 31.75 + 2.
    const at::Tensor flat = x.reshape({128, 5});
    EXPECT_EQ(flat[127][4].item<float>(), 33.75f);
    EXPECT_EQ(flat[1][0].item<float>(), 0.25f);
    EXPECT_EQ(flat[0][3].item<float>(), 1.5f);
  }
}

TEST(NpyHeader, GoodFixturesDeclareWhatNumpyWrote) {
  for (const auto& c : good_cases()) {
    SCOPED_TRACE(c.file);
    const auto path = fixture(c.file);
    const io::NpyHeader h = io::read_npy_header(path);
    EXPECT_EQ(h.major_version, c.version);
    EXPECT_EQ(h.kind, 'f');
    EXPECT_EQ(h.item_size, c.item_size);
    EXPECT_EQ(h.little_endian, c.little_endian);
    EXPECT_EQ(h.fortran_order, c.fortran);
    EXPECT_EQ(h.shape, c.shape);
    EXPECT_EQ(h.data_bytes, 128u * 5u * static_cast<uint64_t>(c.item_size));
    EXPECT_EQ(h.data_offset + h.data_bytes, fs::file_size(path));
    EXPECT_EQ(h.data_offset % 16, 0u) << "NumPy aligns data to 16 (64 since 1.21)";
  }
}

TEST(NpyRead, ReadableNonSpectrogramFixtures) {
  // Valid .npy files: read_npy accepts them; load_spectrogram's job to refuse.
  const at::Tensor nan = io::read_npy(fixture("nan.npy"));
  EXPECT_TRUE(std::isnan(nan[0][3][2].item<float>()));
  EXPECT_EQ(at::isnan(nan).sum().item<int64_t>(), 1);
  const at::Tensor inf = io::read_npy(fixture("inf.npy"));
  EXPECT_TRUE(std::isinf(inf[0][5][1].item<float>()));
  EXPECT_EQ(io::read_npy(fixture("negative.npy"))[0][7][4].item<float>(), -1.0f);
  EXPECT_EQ(io::read_npy(fixture("empty_t0.npy")).sizes().vec(), (std::vector<int64_t>{1, 128, 0}));
  const at::Tensor b64 = io::read_npy(fixture("bands64.npy"));
  EXPECT_TRUE(at::equal(b64, expected_2d(64, 5).unsqueeze(0)));
  EXPECT_EQ(io::read_npy(fixture("four_d.npy")).sizes().vec(),
            (std::vector<int64_t>{1, 1, 128, 5}));
}

TEST(NpyRead, BadFixturesNameFileAndProblem) {
  struct BadCase {
    const char* file;
    std::vector<std::string> parts;
  };
  const std::vector<BadCase> cases = {
      {"bad_truncated.npy", {"truncated", "promises 2560", "holds 2550"}},
      {"bad_trailing.npy", {"7 unexpected trailing bytes"}},
      {"bad_magic.npy", {"bad magic"}},
      {"bad_header_cut.npy", {"truncated"}},
      {"bad_version4.npy", {"version 4"}},
      {"bad_shape_lies.npy", {"truncated", "promises 5120", "holds 2560"}},
      {"bad_huge_shape.npy", {"truncated"}},
      {"bad_int32.npy", {"dtype", "<i4"}},
      {"bad_complex64.npy", {"dtype", "<c8"}},
      {"bad_uint8.npy", {"dtype", "u1"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    const std::string path = fixture(c.file).string();
    for (const auto& read : {+[](const fs::path& p) { io::read_npy_header(p); },
                             +[](const fs::path& p) { io::read_npy(p); }}) {
      const std::string what = melclass::testing::error_of([&] { read(path); });
      EXPECT_EQ(what.rfind("npy: " + path + ": ", 0), 0u) << what;
      for (const auto& part : c.parts) EXPECT_NE(what.find(part), std::string::npos) << what;
    }
  }
}

TEST(NpyRead, HugeShapeRejectedBeforeAllocation) {
  // 128 * 10^12 float32 = 512 TB. If read_npy allocated before checking the
  // file size, at::empty would throw c10::Error (or the process would die),
  // not melclass::Error "truncated".
  const auto path = fixture("bad_huge_shape.npy");
  EXPECT_MELCLASS_ERROR(io::read_npy(path), "file is truncated", "512000000000000");
  EXPECT_LT(fs::file_size(path), 1024u);
}

TEST(NpyRead, HeaderCheckRunsBeforeTheData) {
  // The callback sees the validated header of the one open; when it throws,
  // read_npy throws that error and returns nothing.
  std::vector<int64_t> seen;
  const at::Tensor x =
      io::read_npy(fixture("good_f4_le.npy"), [&](const io::NpyHeader& h) { seen = h.shape; });
  EXPECT_EQ(seen, x.sizes().vec());
  EXPECT_TRUE(at::equal(x, io::read_npy(fixture("good_f4_le.npy"))));
  EXPECT_THROW(io::read_npy(fixture("good_f4_le.npy"),
                            [](const io::NpyHeader&) { throw std::runtime_error("shape"); }),
               std::runtime_error);
  // A broken header fails before the callback runs.
  bool called = false;
  EXPECT_MELCLASS_ERROR(
      io::read_npy(fixture("bad_huge_shape.npy"), [&](const io::NpyHeader&) { called = true; }),
      "file is truncated");
  EXPECT_FALSE(called);
}

TEST(NpyRead, MissingAndEmptyFiles) {
  TempDir dir;
  EXPECT_MELCLASS_ERROR(io::read_npy(dir / "missing.npy"), "npy: ", "missing.npy", "cannot");
  write_text(dir / "empty.npy", "");
  EXPECT_MELCLASS_ERROR(io::read_npy(dir / "empty.npy"), "empty.npy", "bad magic");
}

TEST(NpyHeader, HandBuiltEdgeCases) {
  TempDir dir;
  const std::string two = float_bytes({1.5f, 2.5f});
  struct Case {
    std::string dict, data;
    std::vector<std::string> error;  // empty: must load as [1.5, 2.5]
  };
  const std::vector<Case> cases = {
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", two, {}},
      {"{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2,)}", two, {}},
      {"{'shape': (2L,), 'fortran_order': False, 'descr': '=f4'}", two, {}},
      {"{'descr': '<f4', 'shape': (2,)}", two, {"fortran_order"}},
      {"{'fortran_order': False, 'shape': (2,)}", two, {"descr"}},
      {"{'descr': '<f4', 'fortran_order': False}", two, {"shape"}},
      {"{'descr': '<f4', 'fortran_order': maybe, 'shape': (2,)}", two, {"fortran_order"}},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", two, {"invalid dimension"}},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2000000000000,)}", two, {"too large"}},
      {"{'descr': '<f16', 'fortran_order': False, 'shape': (2,)}", two, {"dtype"}},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (3,)}", two, {"truncated"}},
      // A header longer than the loader's first read (512 bytes) takes a second read.
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }" + std::string(1000, ' '),
       two,
       {}},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }" + std::string(1000, ' '),
       two,
       {"truncated"}},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].dict);
    const fs::path p = dir / ("case" + std::to_string(i) + ".npy");
    write_text(p, npy_bytes(cases[i].dict, cases[i].data));
    if (cases[i].error.empty()) {
      const at::Tensor x = io::read_npy(p);
      ASSERT_EQ(x.sizes().vec(), std::vector<int64_t>{2});
      EXPECT_EQ(x[0].item<float>(), 1.5f);
      EXPECT_EQ(x[1].item<float>(), 2.5f);
    } else {
      for (const auto& part : cases[i].error)
        EXPECT_MELCLASS_ERROR(io::read_npy(p), p.string(), part);
    }
  }
}

TEST(NpyHeader, ScalarShape) {
  TempDir dir;
  write_text(dir / "s.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (), }",
                                      float_bytes({7.f})));
  const at::Tensor x = io::read_npy(dir / "s.npy");
  EXPECT_EQ(x.dim(), 0);
  EXPECT_EQ(x.item<float>(), 7.f);
}

TEST(NpyWrite, RoundTripKeepsShapeAndBits) {
  TempDir dir;
  const std::vector<std::vector<int64_t>> shapes = {{1, 128, 7}, {128, 3}, {5}, {2, 3, 4, 5}};
  for (const auto& shape : shapes) {
    at::Tensor x = at::randn(shape) * 1e3;
    x.view(-1)[0] = -0.0f;
    const fs::path p = dir / "rt.npy";
    io::write_npy(p, x);
    const io::NpyHeader h = io::read_npy_header(p);
    EXPECT_EQ(h.major_version, 1);
    EXPECT_TRUE(h.little_endian);
    EXPECT_FALSE(h.fortran_order);
    EXPECT_EQ(h.shape, shape);
    EXPECT_EQ(h.data_offset % 64, 0u);
    const at::Tensor y = io::read_npy(p);
    ASSERT_EQ(y.sizes(), x.sizes());
    EXPECT_EQ(std::memcmp(x.data_ptr(), y.data_ptr(), x.numel() * sizeof(float)), 0);
  }
}

TEST(NpyWrite, HeaderTextIsNumpyCompatible) {
  TempDir dir;
  io::write_npy(dir / "a.npy", at::zeros({4}));
  io::write_npy(dir / "b.npy", at::zeros({1, 128, 2}));
  const std::string a = read_bytes(dir / "a.npy"), b = read_bytes(dir / "b.npy");
  EXPECT_EQ(a.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  EXPECT_NE(a.find("'shape': (4,)"), std::string::npos) << a.substr(0, 64);
  EXPECT_NE(b.find("'shape': (1, 128, 2)"), std::string::npos) << b.substr(0, 64);
  EXPECT_NE(b.find("'descr': '<f4'"), std::string::npos);
  EXPECT_EQ(b[io::read_npy_header(dir / "b.npy").data_offset - 1], '\n');
}

TEST(NpyWrite, ConvertsDtypeAndLayout) {
  TempDir dir;
  const at::Tensor d = at::arange(6, at::kDouble).reshape({2, 3});
  io::write_npy(dir / "t.npy", d.t());  // non-contiguous double [3, 2]
  const at::Tensor y = io::read_npy(dir / "t.npy");
  EXPECT_EQ(y.sizes().vec(), (std::vector<int64_t>{3, 2}));
  EXPECT_TRUE(at::equal(y, d.t().to(at::kFloat)));
}

TEST(NpyWrite, FailureLeavesNoFile) {
  TempDir dir;
  const fs::path blocker = dir / "file";
  write_text(blocker, "x");
  // The parent "folder" is a regular file: creating it fails, nothing is written.
  EXPECT_ANY_THROW(io::write_npy(blocker / "out.npy", at::zeros({3})));
  EXPECT_EQ(read_bytes(blocker), "x");
}

// Seeded random damage to real NumPy files (truncations, overwritten header and
// data bytes, forged header lengths): read_npy must either return a tensor of
// the shape the (damaged) header declares or throw melclass::Error — never
// another exception type, never read past the file.
TEST(NpyRead, RandomDamageReadsOrThrowsMelclassError) {
  TempDir dir;
  std::mt19937 rng(20261125);
  const std::vector<std::string> sources = {read_bytes(fixture("good_f2_le.npy")),
                                            read_bytes(fixture("good_f8_be_fortran.npy")),
                                            read_bytes(fixture("good_f2_be_v3.npy"))};
  int read = 0, refused = 0;
  for (int i = 0; i < 1500; ++i) {
    std::string bytes = sources[rng() % sources.size()];
    switch (rng() % 4) {
      case 0:  // truncated anywhere
        bytes.resize(rng() % bytes.size());
        break;
      case 1:  // a few bytes overwritten, mostly in the header
        for (int k = 1 + rng() % 6; k > 0; --k)
          bytes[rng() % (rng() % 2 ? 128 : bytes.size())] = char(rng());
        break;
      case 2:  // header length field forged
        bytes[8] = char(rng());
        bytes[9] = char(rng() % 3 ? 0 : rng());
        break;
      default:  // one header character replaced by a character that matters to the parser
        bytes[10 + rng() % 60] = "(),:'{}0123456789-eTFx< >\n"[rng() % 26];
    }
    const fs::path path = dir / ("d" + std::to_string(i) + ".npy");
    write_text(path, bytes);
    try {
      const at::Tensor x = io::read_npy(path);
      const io::NpyHeader h = io::read_npy_header(path);
      EXPECT_EQ(x.sizes().vec(), h.shape) << "case " << i;
      EXPECT_LE(h.data_offset + h.data_bytes, bytes.size()) << "case " << i;
      ++read;
    } catch (const melclass::Error& e) {
      EXPECT_NE(std::string(e.what()).find(path.filename().string()), std::string::npos)
          << e.what();
      ++refused;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "case " << i << ": not a melclass::Error: " << e.what();
    }
  }
  // Both outcomes occur (damage to the data bytes alone leaves a readable file).
  EXPECT_GT(read, 0);
  EXPECT_GT(refused, 0);
}
