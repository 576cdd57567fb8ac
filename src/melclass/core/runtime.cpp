#include "melclass/core/runtime.h"

#include <thread>

#include <torch/cuda.h>
#include <torch/utils.h>
#include <torch/version.h>

#include "melclass/core/error.h"

namespace melclass {

int configure_threads(int threads) {
  if (threads <= 0) {
    threads = static_cast<int>(std::thread::hardware_concurrency());
    if (threads <= 0) threads = 1;
  }
  torch::set_num_threads(threads);
  return threads;
}

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

}  // namespace melclass
