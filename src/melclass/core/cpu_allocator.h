#pragma once
// A caching allocator for large CPU tensors, installed as LibTorch's CPU
// allocator by the melclass program (configure_allocator).
//
// A training step allocates the same activation and gradient buffers every
// time (fixed batch and crop), and frees them by its end. Through malloc, a
// buffer above glibc's mmap threshold (32 MiB at most) is a fresh mmap() each
// time, and every page of it is faulted in and zeroed by the kernel again:
// 41% of the CPU time of a `baseline` training run (1200-frame crops, 600 MB
// activations) went to the kernel that way, on melclass and PyTorch alike
// (perf; docs/benchmarks.md). Here blocks of at least `min_bytes` are kept
// after use, by size class, and handed out again: after the first step no
// large allocation reaches the kernel. The idea is PyTorch's CUDA caching
// allocator (c10/cuda/CUDACachingAllocator.cpp) applied to host memory.

#include <cstddef>

namespace melclass {

struct CachingAllocatorOptions {
  /// Smaller requests go to the allocator installed before (LibTorch's).
  size_t min_bytes = size_t{1} << 20;
  /// Free blocks are kept while all the large blocks held (in use and free)
  /// come to at most max(min_limit_bytes, peak_factor x the peak in use so
  /// far); a request that misses the cache and would exceed it first returns
  /// the largest free blocks to the system.
  size_t min_limit_bytes = size_t{1} << 30;
  double peak_factor = 2.0;
};

struct CachingAllocatorStats {
  size_t requests = 0;      ///< large requests (>= min_bytes)
  size_t hits = 0;          ///< of them, served from the cache
  size_t in_use_bytes = 0;  ///< large blocks handed out and not freed yet
  size_t cached_bytes = 0;  ///< free large blocks kept
  size_t peak_in_use_bytes = 0;
  size_t released_bytes = 0;  ///< returned to the system when the cache was full
};

/// Makes the caching allocator LibTorch's CPU allocator for the rest of the
/// process. Throws Error (component "allocator") on invalid options; a second
/// call changes nothing and returns false.
bool install_caching_cpu_allocator(const CachingAllocatorOptions& options = {});

/// Whether install_caching_cpu_allocator has run in this process.
bool caching_cpu_allocator_installed();

/// Counters since installation (all zero when not installed).
CachingAllocatorStats caching_cpu_allocator_stats();

/// Returns every cached free block to the system.
void release_cached_cpu_memory();

/// Size class of a large request: rounded up to 1/8 of its power of two
/// (at most 12.5% more), so tensors of nearly equal sizes share blocks. A
/// request is served by the smallest free block of at least its class and at
/// most twice that.
size_t caching_size_class(size_t bytes);

}  // namespace melclass
