// core: the caching CPU allocator (installed once for this whole test binary).

#include <cstdint>
#include <thread>
#include <vector>

#include <c10/core/CPUAllocator.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "melclass/core/cpu_allocator.h"
#include "melclass/core/error.h"

namespace {

constexpr size_t kMiB = size_t{1} << 20;

/// Installs the allocator on first use (every test of this file needs it).
void ensure_installed() {
  if (!melclass::caching_cpu_allocator_installed()) {
    melclass::install_caching_cpu_allocator();
  }
  ASSERT_TRUE(melclass::caching_cpu_allocator_installed());
}

/// A float tensor of `bytes` bytes from LibTorch's CPU allocator.
at::Tensor block(size_t bytes) {
  return torch::empty({static_cast<int64_t>(bytes / sizeof(float))}, torch::kFloat);
}

}  // namespace

TEST(CpuAllocator, SizeClassesRoundUpByAtMostAnEighth) {
  EXPECT_EQ(melclass::caching_size_class(kMiB), kMiB);
  EXPECT_EQ(melclass::caching_size_class(kMiB + 1), kMiB + kMiB / 8);
  EXPECT_EQ(melclass::caching_size_class(3000000), 12 * 262144u);  // 2^21 / 8 steps
  for (size_t n = kMiB; n < 64 * kMiB; n = n * 9 / 7 + 12345) {
    const size_t c = melclass::caching_size_class(n);
    EXPECT_GE(c, n);
    EXPECT_LE(c, n + n / 8);
    EXPECT_EQ(c % 4096, 0u);
  }
}

TEST(CpuAllocator, RejectsInvalidOptionsAndInstallsOnce) {
  melclass::CachingAllocatorOptions bad;
  bad.min_bytes = 100;
  EXPECT_THROW(melclass::install_caching_cpu_allocator(bad), melclass::Error);
  bad = {};
  bad.peak_factor = 0.5;
  EXPECT_THROW(melclass::install_caching_cpu_allocator(bad), melclass::Error);
  ensure_installed();
  EXPECT_FALSE(melclass::install_caching_cpu_allocator());  // already there
}

TEST(CpuAllocator, HandsAFreedBlockOutAgain) {
  ensure_installed();
  const auto before = melclass::caching_cpu_allocator_stats();
  at::Tensor a = block(4 * kMiB);
  const void* first = a.data_ptr();
  a = at::Tensor();
  at::Tensor b = block(4 * kMiB);
  EXPECT_EQ(b.data_ptr(), first);
  const auto after = melclass::caching_cpu_allocator_stats();
  EXPECT_EQ(after.requests, before.requests + 2);
  EXPECT_GE(after.hits, before.hits + 1);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b.data_ptr()) % 64, 0u);
  b = at::Tensor();
  EXPECT_EQ(melclass::caching_cpu_allocator_stats().in_use_bytes, before.in_use_bytes);
}

TEST(CpuAllocator, BestFitWithinTwiceTheSize) {
  ensure_installed();
  melclass::release_cached_cpu_memory();
  at::Tensor big = block(8 * kMiB);
  const void* big_ptr = big.data_ptr();
  big = at::Tensor();
  at::Tensor small = block(3 * kMiB);  // 8 > 2 x 3: a new block
  EXPECT_NE(small.data_ptr(), big_ptr);
  at::Tensor medium = block(5 * kMiB);  // 8 <= 2 x 5: the freed block
  EXPECT_EQ(medium.data_ptr(), big_ptr);
  medium.fill_(2.0f);
  small.fill_(1.0f);
  EXPECT_EQ(medium.sum().item<double>(), 2.0 * static_cast<double>(medium.numel()));
  EXPECT_EQ(small.sum().item<double>(), static_cast<double>(small.numel()));
}

TEST(CpuAllocator, SmallTensorsGoToLibTorchsAllocator) {
  ensure_installed();
  const size_t requests = melclass::caching_cpu_allocator_stats().requests;
  at::Tensor t = torch::ones({1000});
  EXPECT_EQ(t.sum().item<double>(), 1000.0);
  EXPECT_EQ(melclass::caching_cpu_allocator_stats().requests, requests);
}

TEST(CpuAllocator, RawAllocateAndDeallocateBothSizes) {
  ensure_installed();
  c10::Allocator* allocator = c10::GetCPUAllocator();
  for (size_t bytes : {size_t{256}, 2 * kMiB}) {
    void* p = allocator->raw_allocate(bytes);
    ASSERT_NE(p, nullptr);
    static_cast<char*>(p)[bytes - 1] = 7;
    allocator->raw_deallocate(p);
  }
}

TEST(CpuAllocator, ReleaseReturnsEveryCachedBlock) {
  ensure_installed();
  block(6 * kMiB);  // allocated and freed at once
  ASSERT_GT(melclass::caching_cpu_allocator_stats().cached_bytes, 0u);
  const size_t released = melclass::caching_cpu_allocator_stats().released_bytes;
  melclass::release_cached_cpu_memory();
  const auto stats = melclass::caching_cpu_allocator_stats();
  EXPECT_EQ(stats.cached_bytes, 0u);
  EXPECT_GT(stats.released_bytes, released);
}

TEST(CpuAllocator, ThreadsNeverShareABlock) {
  ensure_installed();
  const size_t in_use = melclass::caching_cpu_allocator_stats().in_use_bytes;
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int id = 0; id < 4; ++id) {
    threads.emplace_back([id, &failures] {
      for (int i = 0; i < 100; ++i) {
        const size_t bytes = (size_t{1} + static_cast<size_t>((id + i) % 3)) * 1536 * 1024;
        at::Tensor a = block(bytes).fill_(static_cast<float>(id));
        at::Tensor b = block(bytes).fill_(static_cast<float>(id + 10));
        std::this_thread::yield();
        const double n = static_cast<double>(a.numel());
        if (a.sum().item<double>() != id * n || b.sum().item<double>() != (id + 10) * n)
          ++failures[static_cast<size_t>(id)];
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int f : failures) EXPECT_EQ(f, 0);
  EXPECT_EQ(melclass::caching_cpu_allocator_stats().in_use_bytes, in_use);
}
