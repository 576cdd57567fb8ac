#include "melclass/core/cpu_allocator.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <c10/core/CPUAllocator.h>

#include "melclass/core/error.h"

namespace melclass {
namespace {

constexpr size_t kAlignment = 64;  // as c10's DefaultCPUAllocator (gAlignment)

void release_block(void* ptr);

// allocate() and copy_data() override on some LibTorch versions and not on
// others (below), so they cannot carry `override`; clang would flag them
// beside raw_deleter's.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Winconsistent-missing-override"
#endif
class CachingCpuAllocator final : public c10::Allocator {
 public:
  CachingCpuAllocator(c10::Allocator* fallback, const CachingAllocatorOptions& options)
      : fallback_(fallback), options_(options) {}

  // LibTorch 1.x declares allocate() const, 2.3+ non-const: whichever the
  // base declares is overridden, the other is an unused overload.
  c10::DataPtr allocate(size_t bytes) const { return allocate_block(bytes); }
  c10::DataPtr allocate(size_t bytes) { return allocate_block(bytes); }
  // Pure virtual from LibTorch 2.3 on (Allocator::clone), unused before.
  void copy_data(void* dest, const void* src, size_t count) const { std::memcpy(dest, src, count); }

  // Also LibTorch's raw_allocate/raw_deallocate path (scratch buffers), which
  // requires a deleter that frees from the pointer alone.
  c10::DeleterFnPtr raw_deleter() const override { return &release_block; }

  void free_block(void* ptr) const;
  void release_all() const;
  CachingAllocatorStats stats() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
  }

 private:
  c10::DataPtr allocate_block(size_t bytes) const;
  // nullptr on a miss; on a hit, `size` becomes the block's. mutex_ held.
  void* take_cached(size_t& size) const;
  // Returns the largest free block to the system; mutex_ held, free_ not empty.
  void release_largest_block() const;
  void release_locked() const;
  void release_largest(size_t needed) const;  // until `needed` more bytes fit; mutex_ held

  c10::Allocator* fallback_;
  CachingAllocatorOptions options_;
  mutable std::mutex mutex_;
  mutable std::multimap<size_t, void*> free_;         // block size -> free block
  mutable std::unordered_map<void*, size_t> in_use_;  // block -> its size
  mutable CachingAllocatorStats stats_;
};
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

std::atomic<CachingCpuAllocator*> g_allocator{nullptr};

void release_block(void* ptr) { g_allocator.load()->free_block(ptr); }

void* CachingCpuAllocator::take_cached(size_t& size) const {
  // Best fit among the free blocks of at most twice the size.
  const auto it = free_.lower_bound(size);
  if (it == free_.end() || it->first > 2 * size) return nullptr;
  void* ptr = it->second;
  size = it->first;
  free_.erase(it);
  stats_.cached_bytes -= size;
  ++stats_.hits;
  return ptr;
}

void CachingCpuAllocator::release_largest_block() const {
  const auto largest = std::prev(free_.end());
  std::free(largest->second);
  stats_.cached_bytes -= largest->first;
  stats_.released_bytes += largest->first;
  free_.erase(largest);
}

void CachingCpuAllocator::release_locked() const {
  while (!free_.empty()) release_largest_block();
}

void CachingCpuAllocator::release_largest(size_t needed) const {
  const double peak = options_.peak_factor * static_cast<double>(stats_.peak_in_use_bytes);
  const double limit = std::max(static_cast<double>(options_.min_limit_bytes), peak);
  while (!free_.empty() &&
         static_cast<double>(stats_.in_use_bytes + stats_.cached_bytes + needed) > limit)
    release_largest_block();
}

c10::DataPtr CachingCpuAllocator::allocate_block(size_t bytes) const {
  if (bytes < options_.min_bytes) return fallback_->allocate(bytes);
  size_t size_class = caching_size_class(bytes);
  std::unique_lock<std::mutex> lock(mutex_);
  ++stats_.requests;
  void* ptr = take_cached(size_class);
  if (!ptr) {
    release_largest(size_class);
    lock.unlock();  // the system allocation runs unlocked
    ptr = std::aligned_alloc(kAlignment, size_class);
    lock.lock();
    if (!ptr) {  // out of memory: give the cache back and try once more
      release_locked();
      ptr = std::aligned_alloc(kAlignment, size_class);
    }
    check(ptr != nullptr, "allocator", "",
          "out of memory: could not allocate " + std::to_string(size_class) + " bytes");
  }
  in_use_.emplace(ptr, size_class);
  stats_.in_use_bytes += size_class;
  stats_.peak_in_use_bytes = std::max(stats_.peak_in_use_bytes, stats_.in_use_bytes);
  return {ptr, ptr, &release_block, c10::Device(c10::DeviceType::CPU)};
}

void CachingCpuAllocator::free_block(void* ptr) const {
  std::unique_lock<std::mutex> lock(mutex_);
  const auto it = in_use_.find(ptr);
  if (it == in_use_.end()) {  // a small block of the fallback, via raw_deallocate
    lock.unlock();
    if (const c10::DeleterFnPtr deleter = fallback_->raw_deleter()) deleter(ptr);
    return;
  }
  const size_t size_class = it->second;
  in_use_.erase(it);
  stats_.in_use_bytes -= size_class;
  free_.emplace(size_class, ptr);
  stats_.cached_bytes += size_class;
}

void CachingCpuAllocator::release_all() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  release_locked();
}

}  // namespace

size_t caching_size_class(size_t bytes) {
  size_t top = 1;
  while (top <= bytes / 2) top *= 2;  // largest power of two <= bytes
  const size_t step = std::max<size_t>(top / 8, 4096);
  return (bytes + step - 1) / step * step;
}

bool install_caching_cpu_allocator(const CachingAllocatorOptions& options) {
  check(options.min_bytes >= 4096, "allocator", "", "min_bytes must be at least 4096");
  check(options.peak_factor >= 1.0, "allocator", "", "peak_factor must be at least 1");
  static std::mutex install_mutex;
  const std::lock_guard<std::mutex> lock(install_mutex);
  if (g_allocator.load()) return false;
  // Never deleted: tensors may be freed during static destruction.
  auto* allocator = new CachingCpuAllocator(c10::GetCPUAllocator(), options);
  g_allocator.store(allocator);
  c10::SetCPUAllocator(allocator, /*priority=*/1);
  return true;
}

bool caching_cpu_allocator_installed() { return g_allocator.load() != nullptr; }

CachingAllocatorStats caching_cpu_allocator_stats() {
  const CachingCpuAllocator* allocator = g_allocator.load();
  return allocator ? allocator->stats() : CachingAllocatorStats{};
}

void release_cached_cpu_memory() {
  if (const CachingCpuAllocator* allocator = g_allocator.load()) allocator->release_all();
}

}  // namespace melclass
