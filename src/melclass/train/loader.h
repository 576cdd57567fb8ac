#pragma once
// A prefetching batch loader, so that the model never waits for data: the
// examples of an epoch (loading, cropping, per-example augmentation) are made
// on background threads while the consumer trains on earlier batches.
//
// Given the epoch's ordered sample indices, BatchLoader cuts them into batches
// of batch_size, builds each batch on one of `workers` threads (every example
// with make_sample, then each of its tensors stacked along a new first
// dimension) and hands the batches out in order from next(). At most
// `prefetch` batches are built or being built ahead of the consumer, so memory
// stays within (prefetch + 1) batches whatever the dataset size.
//
// Reproducible: example k of the epoch's order gets its own generator seeded
// from (seed, epoch, k) (sample_seed), so batches are identical for any number
// of workers, including 0 (each batch built inside next(), no threads).
// An exception thrown while building a batch (make_sample or stacking) is
// rethrown by next() when that batch is due; batches before it are delivered.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include <ATen/core/Tensor.h>

namespace melclass::train {

/// One example's tensors, e.g. {input [F, T], target}; same shapes for every
/// example of a batch, field by field.
using Sample = std::vector<at::Tensor>;

/// Makes the example of dataset index `index`, drawing every random number
/// from `rng`. Called concurrently from several threads: it must not touch
/// shared mutable state.
using SampleFn = std::function<Sample(size_t index, std::mt19937_64& rng)>;

struct LoaderOptions {
  size_t batch_size = 16;
  int workers = 2;          ///< background threads; 0 = each batch built in next()
  size_t prefetch = 4;      ///< batches built or in progress ahead of the consumer, >= 1
  size_t min_batch = 1;     ///< a last batch smaller than this is dropped (unless the only one)
  uint64_t seed = 0;        ///< run seed
  uint64_t epoch = 0;       ///< with seed and position, seeds each example's generator
  bool pin_memory = false;  ///< batches in page-locked memory (for a CUDA device)
  /// Run first in each worker thread (e.g. to limit that thread's intra-op
  /// parallelism); not run when workers == 0.
  std::function<void()> on_worker_start;
};

/// A batch: field k of every example stacked, [B, ...].
struct Batch {
  size_t number = 0;            ///< position of the batch in the epoch, from 0
  std::vector<size_t> indices;  ///< dataset indices of its examples, in order
  std::vector<at::Tensor> fields;
};

/// Seed of the generator of the example at `position` of epoch `epoch`'s
/// order (splitmix64 mixing of the three numbers).
uint64_t sample_seed(uint64_t seed, uint64_t epoch, uint64_t position);

/// Number of batches of `samples` examples (see LoaderOptions::min_batch).
size_t batch_count(size_t samples, size_t batch_size, size_t min_batch);

class BatchLoader {
 public:
  /// Starts the workers. Throws Error("loader", "", ...) for batch_size or
  /// prefetch 0, negative workers or an empty make_sample.
  BatchLoader(std::vector<size_t> order, SampleFn make_sample, LoaderOptions options);
  /// Stops the workers (each finishes the batch in hand) and joins them.
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  /// The next batch, in order; std::nullopt after the last. Rethrows the
  /// exception of a batch that failed, after which the loader is finished.
  std::optional<Batch> next();

  size_t batches() const { return batches_; }
  /// Total time next() has spent waiting for batches (with workers == 0: the
  /// time spent building them, since the consumer then does the work).
  double wait_seconds() const { return wait_seconds_; }

 private:
  struct Slot {
    std::optional<Batch> batch;
    std::exception_ptr error;
  };

  void shutdown();
  Batch build(size_t number) const;
  Slot build_slot(size_t number) const;
  void work();
  std::optional<Batch> deliver(Slot slot);

  const std::vector<size_t> order_;
  const SampleFn make_sample_;
  const LoaderOptions options_;
  const size_t batches_;
  std::mutex mutex_;
  std::condition_variable room_;   ///< workers: a batch may be claimed, or stop
  std::condition_variable ready_;  ///< consumer: a batch was finished
  std::map<size_t, Slot> done_;    ///< finished batches not yet delivered
  size_t next_claim_ = 0;          ///< next batch a worker builds
  size_t next_deliver_ = 0;        ///< next batch next() returns
  bool stop_ = false;              ///< workers claim nothing more
  bool finished_ = false;          ///< a failure was delivered
  double wait_seconds_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace melclass::train
