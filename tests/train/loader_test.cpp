// train::BatchLoader: order, reproducibility across worker counts, bounded
// prefetch, exceptions on the failing batch, shutdown mid-epoch, wait time.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <numeric>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/testing.h"
#include "melclass/train/loader.h"

using namespace melclass;
using train::Batch;
using train::BatchLoader;
using train::LoaderOptions;
using train::Sample;

namespace {

std::vector<size_t> shuffled(size_t n, uint64_t seed) {
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  return order;
}

// An example whose content depends on its index and on its generator: a random
// crop of a per-index ramp, plus a random scalar.
Sample make_example(size_t index, std::mt19937_64& rng) {
  const at::Tensor ramp = torch::arange(100, torch::kFloat) + 1000.0 * static_cast<double>(index);
  const int64_t offset = std::uniform_int_distribution<int64_t>(0, 90)(rng);
  const double noise = std::uniform_real_distribution<double>(0, 1)(rng);
  return {ramp.narrow(0, offset, 10).clone(), torch::full({}, noise, torch::kDouble),
          torch::full({}, static_cast<int64_t>(index), torch::kLong)};
}

std::vector<Batch> drain(BatchLoader& loader) {
  std::vector<Batch> out;
  while (auto b = loader.next()) out.push_back(std::move(*b));
  return out;
}

std::vector<Batch> run_epoch(int workers, size_t prefetch = 2) {
  LoaderOptions o;
  o.batch_size = 4;
  o.workers = workers;
  o.prefetch = prefetch;
  o.seed = 7;
  o.epoch = 3;
  BatchLoader loader(shuffled(23, 1), make_example, o);
  return drain(loader);
}

}  // namespace

TEST(BatchLoader, BatchCountAndMinBatch) {
  EXPECT_EQ(train::batch_count(23, 4, 1), 6u);
  EXPECT_EQ(train::batch_count(21, 4, 2), 5u);  // last batch of 1 dropped
  EXPECT_EQ(train::batch_count(1, 4, 2), 1u);   // ... unless it is the only one
  EXPECT_EQ(train::batch_count(0, 4, 1), 0u);
  EXPECT_EQ(train::batch_count(8, 4, 4), 2u);
}

TEST(BatchLoader, DeliversBatchesInOrderWithStackedFields) {
  const auto order = shuffled(23, 1);
  const auto batches = run_epoch(3);
  ASSERT_EQ(batches.size(), 6u);
  size_t k = 0;
  for (size_t b = 0; b < batches.size(); ++b) {
    EXPECT_EQ(batches[b].number, b);
    const size_t size = b + 1 < batches.size() ? 4 : 3;
    ASSERT_EQ(batches[b].indices.size(), size);
    ASSERT_EQ(batches[b].fields.size(), 3u);
    EXPECT_EQ(batches[b].fields[0].sizes(), (std::vector<int64_t>{static_cast<int64_t>(size), 10}));
    for (size_t i = 0; i < size; ++i, ++k) {
      EXPECT_EQ(batches[b].indices[i], order[k]);
      EXPECT_EQ(batches[b].fields[2][static_cast<int64_t>(i)].item<int64_t>(),
                static_cast<int64_t>(order[k]));
    }
  }
  EXPECT_EQ(k, order.size());
}

TEST(BatchLoader, SameBatchesForZeroOneAndThreeWorkers) {
  const auto reference = run_epoch(0);
  for (int workers : {1, 3}) {
    for (size_t prefetch : {size_t{1}, size_t{5}}) {
      const auto batches = run_epoch(workers, prefetch);
      ASSERT_EQ(batches.size(), reference.size());
      for (size_t b = 0; b < batches.size(); ++b)
        for (size_t f = 0; f < reference[b].fields.size(); ++f)
          EXPECT_TRUE(torch::equal(batches[b].fields[f], reference[b].fields[f]))
              << "workers " << workers << " prefetch " << prefetch << " batch " << b;
    }
  }
}

TEST(BatchLoader, SeedAndEpochChangeTheDraws) {
  EXPECT_NE(train::sample_seed(7, 3, 0), train::sample_seed(7, 3, 1));
  EXPECT_NE(train::sample_seed(7, 3, 0), train::sample_seed(7, 4, 0));
  EXPECT_NE(train::sample_seed(7, 3, 0), train::sample_seed(8, 3, 0));
  EXPECT_EQ(train::sample_seed(7, 3, 5), train::sample_seed(7, 3, 5));
}

TEST(BatchLoader, PrefetchBoundsTheExamplesMadeAheadOfTheConsumer) {
  std::atomic<int> made{0};
  LoaderOptions o;
  o.batch_size = 2;
  o.workers = 3;
  o.prefetch = 2;
  BatchLoader loader(
      shuffled(40, 2),
      [&](size_t i, std::mt19937_64& rng) {
        ++made;
        return make_example(i, rng);
      },
      o);
  for (int consumed = 0; consumed < 5; ++consumed) {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));  // workers run ahead
    // Delivered batches plus at most `prefetch` built or in progress.
    EXPECT_LE(made.load(), (consumed + 2) * 2) << "after " << consumed << " batches";
    ASSERT_TRUE(loader.next().has_value());
  }
}

TEST(BatchLoader, RethrowsOnTheBatchThatFailed) {
  for (int workers : {0, 2}) {
    LoaderOptions o;
    o.batch_size = 3;
    o.workers = workers;
    std::vector<size_t> order(12);
    std::iota(order.begin(), order.end(), 0);
    BatchLoader loader(
        order,
        [](size_t i, std::mt19937_64& rng) {
          if (i == 7) throw Error("spectrogram", "7.npy", "contains NaN or Inf values");
          return make_example(i, rng);
        },
        o);
    ASSERT_TRUE(loader.next().has_value());                // examples 0-2
    ASSERT_TRUE(loader.next().has_value());                // 3-5
    EXPECT_MELCLASS_ERROR(loader.next(), "7.npy", "NaN");  // 6-8
    EXPECT_FALSE(loader.next().has_value()) << "workers " << workers;
  }
}

TEST(BatchLoader, ExamplesOfDifferentShapesFailTheirBatch) {
  LoaderOptions o;
  o.batch_size = 2;
  o.workers = 1;
  BatchLoader loader(
      {0, 1, 2, 3},
      [](size_t i, std::mt19937_64&) -> Sample {
        return {torch::zeros({i < 2 ? 4 : static_cast<int64_t>(i)})};
      },
      o);
  ASSERT_TRUE(loader.next().has_value());
  EXPECT_THROW(loader.next(), std::exception);
}

TEST(BatchLoader, StopsCleanlyInTheMiddleOfAnEpoch) {
  std::atomic<int> started{0};
  LoaderOptions o;
  o.batch_size = 1;
  o.workers = 2;
  o.prefetch = 3;
  o.on_worker_start = [&] { ++started; };
  {
    BatchLoader loader(shuffled(1000, 3), make_example, o);
    ASSERT_TRUE(loader.next().has_value());
  }  // destructor joins workers blocked on a full queue
  EXPECT_EQ(started.load(), 2);
}

TEST(BatchLoader, CountsTheTimeTheConsumerWaits) {
  auto slow = [](size_t i, std::mt19937_64& rng) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return make_example(i, rng);
  };
  LoaderOptions o;
  o.batch_size = 2;
  o.workers = 0;
  BatchLoader inline_loader(shuffled(6, 4), slow, o);
  EXPECT_EQ(drain(inline_loader).size(), 3u);
  EXPECT_GE(inline_loader.wait_seconds(), 0.1);  // 6 examples x 20 ms, built by the consumer
  o.workers = 2;
  o.prefetch = 4;
  BatchLoader loader(shuffled(8, 4), slow, o);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // everything prefetched
  EXPECT_EQ(drain(loader).size(), 4u);
  EXPECT_LT(loader.wait_seconds(), 0.1);
}

TEST(BatchLoader, RejectsInvalidOptions) {
  LoaderOptions o;
  o.batch_size = 0;
  EXPECT_MELCLASS_ERROR(BatchLoader({0}, make_example, o), "loader", "batch_size");
  o = LoaderOptions();
  o.prefetch = 0;
  EXPECT_MELCLASS_ERROR(BatchLoader({0}, make_example, o), "prefetch");
  o = LoaderOptions();
  EXPECT_MELCLASS_ERROR(BatchLoader({0}, train::SampleFn(), o), "make_sample");
}
