#include "melclass/core/runtime.h"

#include <cstdlib>
#include <string>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <ATen/autocast_mode.h>
#include <torch/cuda.h>
#include <torch/utils.h>
#include <torch/version.h>

#include "melclass/core/cpu_allocator.h"
#include "melclass/core/error.h"

namespace melclass {

void configure_allocator() {
  const char* caching = std::getenv("MELCLASS_CACHING_ALLOCATOR");
  if (!caching || std::string(caching) != "0") install_caching_cpu_allocator();
#if defined(__GLIBC__)
  // The user's own settings win.
  for (const char* knob : {"GLIBC_TUNABLES", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"})
    if (std::getenv(knob)) return;
  constexpr int kMmapThreshold = 32 << 20;  // glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit
  constexpr int kTrimThreshold = 256 << 20;
  mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
#endif
}

int configure_threads(int threads) {
  check(threads <= kMaxThreads, "runtime", "",
        "threads must be at most " + std::to_string(kMaxThreads) + ", not " +
            std::to_string(threads));
  if (threads <= 0) {
    threads = static_cast<int>(std::thread::hardware_concurrency());
    if (threads <= 0) threads = 1;
  }
  torch::set_num_threads(threads);
  return threads;
}

TorchThreadsGuard::TorchThreadsGuard(int threads) : previous_(torch::get_num_threads()) {
  torch::set_num_threads(threads);
}

TorchThreadsGuard::~TorchThreadsGuard() { torch::set_num_threads(previous_); }

void seed_everything(uint64_t seed) {
  torch::manual_seed(seed);
  if (torch::cuda::is_available()) torch::cuda::manual_seed_all(seed);
}

c10::Device parse_device(const std::string& name) {
  if (name == "cpu") return c10::Device(c10::kCPU);
  if (name.rfind("cuda", 0) == 0) {
    check(torch::cuda::is_available(), "device", "",
          "CUDA requested but this build or machine has no CUDA device");
    try {
      return c10::Device(name);
    } catch (const std::exception&) {
      throw Error("device", "", "invalid device '" + name + "'");
    }
  }
  throw Error("device", "", "unknown device '" + name + "' (use cpu or cuda)");
}

std::string torch_version() { return TORCH_VERSION; }

namespace {
// LibTorch 2.4 replaced the per-device autocast functions (set_enabled,
// set_cpu_enabled, set_autocast_gpu_dtype, ...) by ones taking a DeviceType.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool autocast_enabled(c10::DeviceType t) { return at::autocast::is_autocast_enabled(t); }
void set_autocast(c10::DeviceType t, bool on) { at::autocast::set_autocast_enabled(t, on); }
at::ScalarType autocast_dtype(c10::DeviceType t) { return at::autocast::get_autocast_dtype(t); }
void set_autocast_dtype(c10::DeviceType t, at::ScalarType d) {
  at::autocast::set_autocast_dtype(t, d);
}
#else
bool autocast_enabled(c10::DeviceType t) {
  return t == c10::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
}
void set_autocast(c10::DeviceType t, bool on) {
  t == c10::kCUDA ? at::autocast::set_enabled(on) : at::autocast::set_cpu_enabled(on);
}
at::ScalarType autocast_dtype(c10::DeviceType t) {
  return t == c10::kCUDA ? at::autocast::get_autocast_gpu_dtype()
                         : at::autocast::get_autocast_cpu_dtype();
}
void set_autocast_dtype(c10::DeviceType t, at::ScalarType d) {
  t == c10::kCUDA ? at::autocast::set_autocast_gpu_dtype(d)
                  : at::autocast::set_autocast_cpu_dtype(d);
}
#endif
}  // namespace

bool parse_autocast(const std::string& name, const std::string& component) {
  check(name == "none" || name == "bf16", component, "",
        "autocast must be none or bf16, not '" + name + "'");
  return name == "bf16";
}

AutocastGuard::AutocastGuard(c10::Device device, bool bf16) : type_(device.type()) {
  if (!bf16) return;
  check(type_ == c10::kCPU || type_ == c10::kCUDA, "autocast", "",
        "bf16 autocast needs a cpu or cuda device");
  was_enabled_ = autocast_enabled(type_);
  old_dtype_ = autocast_dtype(type_);
  set_autocast_dtype(type_, at::kBFloat16);
  set_autocast(type_, true);
  active_ = true;
}

AutocastGuard::~AutocastGuard() {
  if (!active_) return;
  set_autocast(type_, was_enabled_);
  set_autocast_dtype(type_, old_dtype_);
  if (!was_enabled_) at::autocast::clear_cache();
}

}  // namespace melclass
