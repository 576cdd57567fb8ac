#include "melclass/train/loader.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include <ATen/ops/stack.h>

#include "melclass/core/error.h"

namespace melclass::train {
namespace {

using Clock = std::chrono::steady_clock;

// splitmix64's finaliser (Steele, Lea & Flood 2014; as in Vigna's splitmix64.c).
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

void validate(const LoaderOptions& o, const SampleFn& make_sample) {
  check(o.batch_size >= 1, "loader", "", "batch_size must be >= 1");
  check(o.prefetch >= 1, "loader", "", "prefetch must be >= 1");
  check(o.workers >= 0, "loader", "", "workers must be >= 0");
  check(static_cast<bool>(make_sample), "loader", "", "no make_sample function");
}

}  // namespace

uint64_t sample_seed(uint64_t seed, uint64_t epoch, uint64_t position) {
  return mix(mix(mix(seed) ^ epoch) ^ position);
}

size_t batch_count(size_t samples, size_t batch_size, size_t min_batch) {
  size_t n = (samples + batch_size - 1) / batch_size;
  const size_t last = samples - (n ? (n - 1) * batch_size : 0);
  if (n > 1 && last < min_batch) --n;
  return n;
}

BatchLoader::BatchLoader(std::vector<size_t> order, SampleFn make_sample, LoaderOptions options)
    : order_(std::move(order)),
      make_sample_(std::move(make_sample)),
      options_(std::move(options)),
      batches_(options_.batch_size
                   ? batch_count(order_.size(), options_.batch_size, options_.min_batch)
                   : 0) {
  validate(options_, make_sample_);
  const size_t threads = std::min(static_cast<size_t>(options_.workers), batches_);
  try {
    for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
  } catch (...) {  // std::system_error: stop the threads already started
    shutdown();
    throw;
  }
}

BatchLoader::~BatchLoader() { shutdown(); }

void BatchLoader::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  room_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

Batch BatchLoader::build(size_t number) const {
  Batch b;
  b.number = number;
  const size_t start = number * options_.batch_size;
  const size_t end = std::min(order_.size(), start + options_.batch_size);
  std::vector<Sample> samples;
  samples.reserve(end - start);
  for (size_t k = start; k < end; ++k) {
    std::mt19937_64 rng(sample_seed(options_.seed, options_.epoch, k));
    b.indices.push_back(order_[k]);
    samples.push_back(make_sample_(order_[k], rng));
    check(samples.back().size() == samples.front().size(), "loader", "",
          "examples of one batch have different numbers of tensors");
  }
  for (size_t f = 0; f < samples.front().size(); ++f) {
    std::vector<at::Tensor> field;
    field.reserve(samples.size());
    for (const auto& s : samples) field.push_back(s[f]);
    b.fields.push_back(at::stack(field));
    // Page-locked, so the copy to a CUDA device can be non-blocking.
    if (options_.pin_memory) b.fields.back() = b.fields.back().pin_memory();
  }
  return b;
}

BatchLoader::Slot BatchLoader::build_slot(size_t number) const {
  Slot slot;
  try {
    slot.batch = build(number);
  } catch (...) {
    slot.error = std::current_exception();
  }
  return slot;
}

void BatchLoader::work() {
  std::exception_ptr start_error;  // a failed on_worker_start fails this worker's batches
  if (options_.on_worker_start) {
    try {
      options_.on_worker_start();
    } catch (...) {
      start_error = std::current_exception();
    }
  }
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    room_.wait(lock, [this] {
      return stop_ || next_claim_ >= batches_ || next_claim_ < next_deliver_ + options_.prefetch;
    });
    if (stop_ || next_claim_ >= batches_) return;
    const size_t number = next_claim_++;
    lock.unlock();
    Slot slot = start_error ? Slot{std::nullopt, start_error} : build_slot(number);
    lock.lock();
    if (slot.error) stop_ = true;  // claim nothing after a failure; earlier batches are in hand
    done_.emplace(number, std::move(slot));
    ready_.notify_all();
  }
}

std::optional<Batch> BatchLoader::deliver(Slot slot) {
  if (slot.error) {
    finished_ = true;
    std::rethrow_exception(slot.error);
  }
  return std::move(slot.batch);
}

std::optional<Batch> BatchLoader::next() {
  if (finished_ || next_deliver_ >= batches_) return std::nullopt;
  const auto start = Clock::now();
  if (threads_.empty()) {  // no workers: the consumer builds the batch
    Slot slot = build_slot(next_deliver_++);
    wait_seconds_ += std::chrono::duration<double>(Clock::now() - start).count();
    return deliver(std::move(slot));
  }
  std::unique_lock<std::mutex> lock(mutex_);
  ready_.wait(lock, [this] { return done_.count(next_deliver_) > 0; });
  wait_seconds_ += std::chrono::duration<double>(Clock::now() - start).count();
  auto it = done_.find(next_deliver_);
  Slot slot = std::move(it->second);
  done_.erase(it);
  ++next_deliver_;  // under the lock: workers read it to know when there is room
  lock.unlock();
  room_.notify_all();
  return deliver(std::move(slot));
}

}  // namespace melclass::train
