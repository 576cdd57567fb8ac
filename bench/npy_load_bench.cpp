// melclass_bench_npy: .npy spectrogram loading speed (bench: npy_load).
//
//   melclass_bench_npy FOLDER [--passes N] [--threads N]
//
// Every .npy file of FOLDER is loaded once (warm-up: the files are then in the
// page cache, as in training after the first epoch) and `passes` more times,
// the cases taking turns pass by pass; the best pass of each counts. MB/s of
// array data (headers not counted) for:
//   read_npy          io::read_npy (header parse + read into a fresh tensor)
//   load_spectrogram  data::load_spectrogram (read_npy + shape, NaN/Inf and sign checks)
//   read_raw          open + read() of the data bytes into one reused buffer (page-cache copy)
//   memcpy_fresh      memcpy of the same bytes from memory into a fresh tensor per file
//   memcpy_hot        memcpy of the same bytes into one reused buffer
// The last line is "RESULT {json}" for bench/run.sh.

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>
#include <nlohmann/json.hpp>

#include "melclass/core/error.h"
#include "melclass/data/spectrogram.h"
#include "melclass/io/npy.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct File {
  fs::path path;
  melclass::io::NpyHeader header;
  std::vector<char> bytes;  ///< the array data, for the memcpy baselines
};

struct Args {
  fs::path folder;
  int passes = 5;
  int threads = 2;
};

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string s = argv[i];
    const bool has_value = i + 1 < argc;
    if (s == "--passes" && has_value) {
      a.passes = std::max(1, std::stoi(argv[++i]));
    } else if (s == "--threads" && has_value) {
      a.threads = std::stoi(argv[++i]);
    } else if (!s.empty() && s[0] != '-' && a.folder.empty()) {
      a.folder = s;
    } else {
      throw melclass::Error("bench", "",
                            "usage: melclass_bench_npy FOLDER [--passes N] [--threads N]");
    }
  }
  melclass::check(!a.folder.empty(), "bench", "", "no folder given");
  return a;
}

void read_exact(const fs::path& path, uint64_t offset, char* out, uint64_t size) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  melclass::check(fd >= 0, "bench", path.string(), "cannot open");
  uint64_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, out + done, size - done, static_cast<off_t>(offset + done));
    if (n <= 0) break;
    done += static_cast<uint64_t>(n);
  }
  ::close(fd);
  melclass::check(done == size, "bench", path.string(), "short read");
}

std::vector<File> list_files(const fs::path& folder) {
  std::vector<File> files;
  for (const auto& e : fs::directory_iterator(folder))
    if (e.is_regular_file() && e.path().extension() == ".npy") files.push_back({e.path(), {}, {}});
  std::sort(files.begin(), files.end(),
            [](const File& a, const File& b) { return a.path < b.path; });
  melclass::check(!files.empty(), "bench", folder.string(), "no .npy files");
  for (auto& f : files) {
    f.header = melclass::io::read_npy_header(f.path);
    f.bytes.resize(f.header.data_bytes);
    read_exact(f.path, f.header.data_offset, f.bytes.data(), f.header.data_bytes);
  }
  return files;
}

using Case = std::pair<std::string, std::function<void(const File&)>>;

// Best of `passes` timed passes (after one warm-up) of each case over every file,
// in seconds. The cases take turns pass by pass, so that a slow spell of a shared
// machine falls on all of them rather than on one.
std::vector<double> best_passes(const std::vector<File>& files, int passes,
                                const std::vector<Case>& cases) {
  std::vector<double> best(cases.size(), 1e30);
  for (int p = 0; p <= passes; ++p) {
    for (size_t c = 0; c < cases.size(); ++c) {
      const auto start = Clock::now();
      for (const auto& f : files) cases[c].second(f);
      const double s = std::chrono::duration<double>(Clock::now() - start).count();
      if (p > 0) best[c] = std::min(best[c], s);
    }
  }
  return best;
}

nlohmann::json run(const Args& a) {
  at::set_num_threads(std::max(1, a.threads));
  const std::vector<File> files = list_files(a.folder);
  uint64_t bytes = 0, largest = 0;
  for (const auto& f : files)
    bytes += f.header.data_bytes, largest = std::max(largest, f.header.data_bytes);
  std::vector<char> reused(largest);
  volatile int64_t sink = 0;  // keeps results observable
  const std::vector<Case> cases = {
      {"read_npy", [&](const File& f) { sink = sink + melclass::io::read_npy(f.path).numel(); }},
      {"load_spectrogram",
       [&](const File& f) { sink = sink + melclass::data::load_spectrogram(f.path).size(1); }},
      {"read_raw",
       [&](const File& f) {
         read_exact(f.path, f.header.data_offset, reused.data(), f.header.data_bytes);
       }},
      {"memcpy_fresh",
       [&](const File& f) {
         at::Tensor t = at::empty({static_cast<int64_t>(f.bytes.size() / 4)}, at::kFloat);
         std::memcpy(t.data_ptr(), f.bytes.data(), f.bytes.size());
         sink = sink + t.numel();
       }},
      {"memcpy_hot",
       [&](const File& f) { std::memcpy(reused.data(), f.bytes.data(), f.bytes.size()); }},
  };
  const double mb = static_cast<double>(bytes) / 1e6;
  nlohmann::json out = {
      {"files", files.size()}, {"bytes", bytes}, {"passes", a.passes}, {"threads", a.threads}};
  const std::vector<double> best = best_passes(files, a.passes, cases);
  for (size_t c = 0; c < cases.size(); ++c) {
    const std::string& name = cases[c].first;
    const double s = best[c];
    std::printf("%-17s %zu files, %.1f MB, best of %d: %8.1f ms = %7.0f MB/s\n", name.c_str(),
                files.size(), mb, a.passes, s * 1e3, mb / s);
    out[name] = {{"seconds", s}, {"mb_per_second", mb / s}};
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const nlohmann::json result = run(parse_args(argc, argv));
    std::printf("RESULT %s\n", result.dump().c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "melclass_bench_npy: error: %s\n",
                 melclass::describe_exception(e).c_str());
    return 1;
  }
}
