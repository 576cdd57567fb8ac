#pragma once
// One worker pool for the "one item per thread" loops (synth, extract,
// predict): each worker takes the next index and runs it with one LibTorch
// intra-op thread, so the items, not the kernels, are the parallelism.

#include <cstddef>
#include <functional>

namespace melclass {

struct ParallelOptions {
  int workers = 1;  ///< threads, clamped to [1, n]
  /// Called on the calling thread about every `tick_ms` with the number of items
  /// finished so far (progress bars); optional.
  std::function<void(size_t done)> on_tick;
  int tick_ms = 200;
};

/// Workers to use for `items` items when `requested` threads are asked for
/// (<= 0: all cores): min(requested or the core count, items), at least 1.
int worker_count(int requested, size_t items);

/// Runs fn(0), ..., fn(n - 1) on `options.workers` threads, each with LibTorch's
/// intra-op thread count set to 1 (restored on the calling thread afterwards).
/// Items are handed out in order; the first exception stops the workers from
/// taking new items and is rethrown here after all have joined.
void parallel_for_each(size_t n, const ParallelOptions& options,
                       const std::function<void(size_t)>& fn);

}  // namespace melclass
