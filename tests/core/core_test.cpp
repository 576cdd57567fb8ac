// core: Error, check, describe_exception, atomic writes, runtime settings.

#include <atomic>
#include <mutex>
#include <new>
#include <set>
#include <stdexcept>
#include <thread>

#include <c10/util/Exception.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/testing.h"
#include "melclass/core/atomic_file.h"
#include "melclass/core/error.h"
#include "melclass/core/parallel.h"
#include "melclass/core/runtime.h"

namespace fs = std::filesystem;
using melclass::Error;
using melclass::testing::count_entries;
using melclass::testing::read_bytes;
using melclass::testing::TempDir;
using melclass::testing::write_text;

TEST(Error, ComposesComponentFileAndMessage) {
  const Error e("npy", "data/3.npy", "file is truncated");
  EXPECT_STREQ(e.what(), "npy: data/3.npy: file is truncated");
  EXPECT_EQ(e.component(), "npy");
  EXPECT_EQ(e.file(), "data/3.npy");
  EXPECT_EQ(e.message(), "file is truncated");
}

TEST(Error, OmitsEmptyFile) {
  EXPECT_STREQ(Error("task", "", "unknown task 'x'").what(), "task: unknown task 'x'");
}

TEST(Error, IsARuntimeError) {
  try {
    throw Error("a", "b", "c");
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "a: b: c");
    return;
  }
  FAIL() << "not caught as std::runtime_error";
}

TEST(Check, ThrowsOnlyWhenFalse) {
  EXPECT_NO_THROW(melclass::check(true, "c", "f", "m"));
  EXPECT_MELCLASS_ERROR(melclass::check(false, "comp", "file.json", "went wrong"),
                        "comp: file.json: went wrong");
}

TEST(DescribeException, FirstLineOfPlainErrors) {
  EXPECT_EQ(melclass::describe_exception(std::runtime_error("line one\nline two")), "line one");
  EXPECT_EQ(melclass::describe_exception(Error("x", "y", "z")), "x: y: z");
}

TEST(DescribeException, BadAlloc) {
  EXPECT_EQ(melclass::describe_exception(std::bad_alloc()), "out of memory");
}

TEST(DescribeException, TorchErrorWithoutBacktrace) {
  try {
    TORCH_CHECK(false, "shapes do not match");
  } catch (const c10::Error& e) {
    // c10::Error::what() carries a multi-line C++ backtrace; describe_exception drops it.
    const std::string d = melclass::describe_exception(e);
    EXPECT_EQ(d.rfind("torch: ", 0), 0u) << d;
    EXPECT_NE(d.find("shapes do not match"), std::string::npos) << d;
    EXPECT_EQ(d.find('\n'), std::string::npos) << d;
    return;
  }
  FAIL() << "TORCH_CHECK did not throw";
}

TEST(AtomicFile, WritesContentAndCreatesParents) {
  TempDir dir;
  const fs::path target = dir / "a/b/out.txt";
  melclass::write_file_atomically(target, [](std::ostream& out) { out << "hello\n"; });
  EXPECT_EQ(read_bytes(target), "hello\n");
  EXPECT_EQ(count_entries(target.parent_path()), 1u) << "a temporary file was left behind";
}

TEST(AtomicFile, ReplacesExistingFile) {
  TempDir dir;
  const fs::path target = dir / "out.txt";
  write_text(target, "old content that is longer");
  melclass::write_file_atomically(target, [](std::ostream& out) { out << "new"; });
  EXPECT_EQ(read_bytes(target), "new");
}

TEST(AtomicFile, FailureLeavesTargetUntouchedAndNoTempFile) {
  TempDir dir;
  const fs::path target = dir / "out.txt";
  write_text(target, "original");
  EXPECT_THROW(melclass::write_file_atomically(target,
                                               [](std::ostream& out) {
                                                 out << "partial";
                                                 throw std::runtime_error("writer failed");
                                               }),
               std::runtime_error);
  EXPECT_EQ(read_bytes(target), "original");
  EXPECT_EQ(count_entries(dir.path()), 1u) << "a temporary file was left behind";
}

TEST(AtomicFile, FailureOnNewFileCreatesNothing) {
  TempDir dir;
  const fs::path target = dir / "never.txt";
  EXPECT_THROW(melclass::write_path_atomically(target,
                                               [](const std::string& tmp) {
                                                 write_text(tmp, "partial");
                                                 throw Error("t", tmp, "fail");
                                               }),
               Error);
  EXPECT_FALSE(fs::exists(target));
  EXPECT_EQ(count_entries(dir.path()), 0u);
}

TEST(AtomicFile, PathWriterGetsSiblingTemporary) {
  TempDir dir;
  const fs::path target = dir / "model.pt";
  std::string seen;
  melclass::write_path_atomically(target, [&](const std::string& tmp) {
    seen = tmp;
    write_text(tmp, "bytes");
  });
  EXPECT_NE(seen, target.string());
  EXPECT_EQ(fs::path(seen).parent_path(), target.parent_path());
  EXPECT_EQ(read_bytes(target), "bytes");
  EXPECT_FALSE(fs::exists(seen));
}

TEST(ReadTextFile, ReadsBinaryExactly) {
  TempDir dir;
  const std::string content("a\0b\r\nc", 6);
  write_text(dir / "f", content);
  EXPECT_EQ(melclass::read_text_file(dir / "f"), content);
}

TEST(ReadTextFile, MissingFileNamesIt) {
  TempDir dir;
  const fs::path missing = dir / "nope.json";
  EXPECT_MELCLASS_ERROR(melclass::read_text_file(missing), "io: ", missing.string(), "cannot open");
}

TEST(Runtime, ConfigureThreads) {
  EXPECT_EQ(melclass::configure_threads(1), 1);
  EXPECT_EQ(torch::get_num_threads(), 1);
  const int all = melclass::configure_threads(0);
  EXPECT_GE(all, 1);
  const unsigned hw = std::thread::hardware_concurrency();
  if (hw > 0) {
    EXPECT_EQ(all, static_cast<int>(hw));
  }
  EXPECT_MELCLASS_ERROR(melclass::configure_threads(melclass::kMaxThreads + 1),
                        "runtime: ", "threads must be at most 256");
  melclass::configure_threads(1);
}

TEST(Runtime, SeedEverythingIsReproducible) {
  melclass::seed_everything(123);
  const auto a = torch::randn({16});
  melclass::seed_everything(123);
  const auto b = torch::randn({16});
  melclass::seed_everything(124);
  const auto c = torch::randn({16});
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_FALSE(torch::equal(a, c));
}

TEST(Runtime, ParseDevice) {
  EXPECT_EQ(melclass::parse_device("cpu"), c10::Device(c10::kCPU));
  EXPECT_MELCLASS_ERROR(melclass::parse_device("tpu"), "device", "unknown device 'tpu'");
  EXPECT_MELCLASS_ERROR(melclass::parse_device(""), "unknown device");
  if (!torch::cuda::is_available()) {
    EXPECT_MELCLASS_ERROR(melclass::parse_device("cuda"), "CUDA requested");
    EXPECT_MELCLASS_ERROR(melclass::parse_device("cuda:0"), "CUDA requested");
  } else {
    EXPECT_EQ(melclass::parse_device("cuda:0"), c10::Device(c10::kCUDA, 0));
    EXPECT_MELCLASS_ERROR(melclass::parse_device("cuda:x"), "invalid device");
  }
}

TEST(Runtime, TorchVersion) {
  const std::string v = melclass::torch_version();
  ASSERT_FALSE(v.empty());
  EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(v[0]))) << v;
  EXPECT_NE(v.find('.'), std::string::npos) << v;
}

// AutocastGuard: bf16 matmuls inside, float32 again after; a disabled guard changes nothing.
TEST(AutocastGuard, Bf16InsideRestoredAfter) {
  const auto a = torch::rand({4, 8}), b = torch::rand({8, 3});
  const auto expected =
      torch::mm(a.to(torch::kBFloat16).to(torch::kFloat), b.to(torch::kBFloat16).to(torch::kFloat));
  {
    melclass::AutocastGuard guard(torch::kCPU, true);
    const auto c = torch::mm(a, b);
    EXPECT_EQ(c.scalar_type(), torch::kBFloat16);
    EXPECT_TRUE(torch::allclose(c.to(torch::kFloat), expected, 2e-2, 2e-2));
  }
  EXPECT_EQ(torch::mm(a, b).scalar_type(), torch::kFloat);
  {
    melclass::AutocastGuard off(torch::kCPU, false);
    EXPECT_EQ(torch::mm(a, b).scalar_type(), torch::kFloat);
  }
}

// AutocastOff: float32 again inside a bf16 AutocastGuard, bf16 once it ends.
TEST(AutocastOff, Float32InsideABf16Guard) {
  const auto a = torch::rand({4, 8}), b = torch::rand({8, 3});
  melclass::AutocastGuard guard(torch::kCPU, true);
  {
    const melclass::AutocastOff float32;
    const auto c = torch::mm(a, b);
    EXPECT_EQ(c.scalar_type(), torch::kFloat);
    EXPECT_TRUE(torch::allclose(
        c, torch::mm(a.to(torch::kDouble), b.to(torch::kDouble)).to(torch::kFloat)));
  }
  EXPECT_EQ(torch::mm(a, b).scalar_type(), torch::kBFloat16);
}

TEST(ParallelForEach, RunsEveryIndexOnceOnOneTorchThreadEach) {
  torch::set_num_threads(2);
  std::mutex mutex;
  std::multiset<size_t> seen;
  std::set<std::thread::id> threads;
  std::atomic<int> wrong_torch_threads{0};
  melclass::ParallelOptions po;
  po.workers = 3;
  melclass::parallel_for_each(50, po, [&](size_t i) {
    if (torch::get_num_threads() != 1) ++wrong_torch_threads;
    const std::lock_guard<std::mutex> lock(mutex);
    seen.insert(i);
    threads.insert(std::this_thread::get_id());
  });
  ASSERT_EQ(seen.size(), 50u);
  for (size_t i = 0; i < 50; ++i) EXPECT_EQ(seen.count(i), 1u) << i;
  EXPECT_LE(threads.size(), 3u);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
  EXPECT_EQ(wrong_torch_threads, 0);
  EXPECT_EQ(torch::get_num_threads(), 2);  // the caller's count is restored
}

TEST(ParallelForEach, FirstErrorStopsTheRestAndReachesTheCaller) {
  torch::set_num_threads(2);
  std::atomic<int> ran{0};
  melclass::ParallelOptions po;
  const auto fn = [&](size_t i) {
    ++ran;
    if (i == 3) throw Error("test", "f", "item 3");
  };
  po.workers = 1;  // items in order: nothing after the failing one is started
  EXPECT_MELCLASS_ERROR(melclass::parallel_for_each(1000, po, fn), "item 3");
  EXPECT_EQ(ran.load(), 4);
  po.workers = 2;  // the other worker may finish a few more, never reports success
  EXPECT_MELCLASS_ERROR(melclass::parallel_for_each(1000, po, fn), "item 3");
  EXPECT_EQ(torch::get_num_threads(), 2);
  melclass::parallel_for_each(0, po, [](size_t) { FAIL() << "no items"; });
}

TEST(ParallelForEach, WorkerCountFollowsRequestCoresAndItems) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  EXPECT_EQ(melclass::worker_count(3, 100), 3);
  EXPECT_EQ(melclass::worker_count(8, 5), 5);
  EXPECT_EQ(melclass::worker_count(0, 1000), cores);
  EXPECT_EQ(melclass::worker_count(-1, 1000), cores);
  EXPECT_EQ(melclass::worker_count(4, 0), 1);
}

TEST(ParallelForEach, TicksWithTheCountDone) {
  std::vector<size_t> ticks;
  melclass::ParallelOptions po;
  po.workers = 2;
  po.tick_ms = 1;
  po.on_tick = [&](size_t done) { ticks.push_back(done); };
  melclass::parallel_for_each(
      20, po, [](size_t) { std::this_thread::sleep_for(std::chrono::milliseconds(2)); });
  ASSERT_FALSE(ticks.empty());
  for (size_t k = 1; k < ticks.size(); ++k) EXPECT_LE(ticks[k - 1], ticks[k]);
  EXPECT_LE(ticks.back(), 20u);
}
