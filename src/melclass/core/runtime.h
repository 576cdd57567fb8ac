#pragma once
// Process-wide runtime settings: thread count, seeding, device selection.

#include <cstdint>
#include <string>

#include <c10/core/Device.h>
#include <c10/core/DispatchKeySet.h>
#include <c10/core/ScalarType.h>
#include <c10/core/impl/LocalDispatchKeySet.h>

namespace melclass {

/// Most threads any option accepts: beyond it a typo (--threads 100000)
/// would spend minutes creating threads.
constexpr int kMaxThreads = 256;

/// Sets LibTorch's intra-op thread count. threads <= 0 means all cores
/// (LibTorch on Debian defaults to one thread). Returns the count in use.
/// Throws Error("runtime") above kMaxThreads.
int configure_threads(int threads);

/// Memory settings for a training or prediction process, where the same
/// multi-megabyte activation and gradient buffers are allocated and freed
/// every step. By default glibc trims and re-maps them, and the page faults
/// and page zeroing of re-touching them took a quarter of a crnn training
/// run's CPU time (perf; docs/benchmarks.md). Two parts:
/// - the caching CPU allocator (core/cpu_allocator.h) for blocks >= 1 MiB,
///   unless the environment sets MELCLASS_CACHING_ALLOCATOR=0;
/// - glibc malloc for the rest: blocks up to 32 MiB (glibc's cap) from the
///   heap rather than fresh mmap()s, up to 256 MiB of freed heap kept; not
///   when the user set glibc's own knobs (GLIBC_TUNABLES,
///   MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_) or on other C libraries.
/// Call once at program start.
void configure_allocator();

/// Sets LibTorch's intra-op thread count for the lifetime of the guard and
/// restores the previous count after (also when an exception unwinds).
class TorchThreadsGuard {
 public:
  explicit TorchThreadsGuard(int threads);
  ~TorchThreadsGuard();
  TorchThreadsGuard(const TorchThreadsGuard&) = delete;
  TorchThreadsGuard& operator=(const TorchThreadsGuard&) = delete;

 private:
  int previous_;
};

/// Seeds LibTorch's CPU (and CUDA, when present) generators.
void seed_everything(uint64_t seed);

/// Parses "cpu" / "cuda" / "cuda:N"; throws Error if CUDA is requested but this
/// build or machine has none.
c10::Device parse_device(const std::string& name);

/// Version of the LibTorch we were built against, e.g. "1.13.1".
std::string torch_version();

/// Parses an autocast setting: "none" -> false, "bf16" -> true; throws Error
/// naming `component` for anything else. The library's one check of the
/// names (`predict --autocast` also lists them, for --help).
bool parse_autocast(const std::string& name, const std::string& component);

/// While alive, runs this thread's LibTorch operations on `device` under
/// autocast to bfloat16 when `bf16` is true (matmuls and convolutions in bf16,
/// reductions and losses in float32; PyTorch's torch.autocast); restores the
/// previous autocast state on destruction. Hides the LibTorch 1.x / 2.4+ API
/// difference. Does nothing when `bf16` is false.
class AutocastGuard {
 public:
  AutocastGuard(c10::Device device, bool bf16);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool active_ = false;
  c10::DeviceType type_;
  bool was_enabled_ = false;
  at::ScalarType old_dtype_ = at::kFloat;
};

/// While alive, this thread's operations run without autocast, also inside an
/// AutocastGuard: a layer called here runs in the dtype of its inputs (float32).
/// For the one layer whose bf16 form is pathological: the weight gradient of a
/// stride-1 convolution with one input channel takes oneDNN 2.6 (Debian's
/// LibTorch) minutes in bf16 where float32 takes milliseconds (the same in
/// Debian's PyTorch; docs/benchmarks.md, "bf16 and one-channel convolutions").
/// The backward pass follows the dtypes recorded in the forward pass.
class AutocastOff {
 public:
  AutocastOff() = default;
  AutocastOff(const AutocastOff&) = delete;
  AutocastOff& operator=(const AutocastOff&) = delete;

 private:
  c10::impl::ExcludeDispatchKeyGuard guard_{c10::autocast_dispatch_keyset};
};

}  // namespace melclass
