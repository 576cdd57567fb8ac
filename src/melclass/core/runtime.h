#pragma once
// Process-wide runtime settings: thread count, seeding, device selection.

#include <cstdint>
#include <string>

#include <c10/core/Device.h>

namespace melclass {

/// Sets LibTorch's intra-op thread count. threads <= 0 means all cores
/// (LibTorch on Debian defaults to one thread). Returns the count in use.
int configure_threads(int threads);

/// Seeds LibTorch's CPU (and CUDA, when present) generators.
void seed_everything(uint64_t seed);

/// Parses "cpu" / "cuda" / "cuda:N"; throws Error if CUDA is requested but this
/// build or machine has none.
c10::Device parse_device(const std::string& name);

/// Version of the LibTorch we were built against, e.g. "1.13.1".
std::string torch_version();

}  // namespace melclass
