#include "melclass/core/parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include <ATen/Parallel.h>

#include "melclass/core/runtime.h"

namespace melclass {

int worker_count(int requested, size_t items) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const size_t wanted = static_cast<size_t>(requested > 0 ? requested : cores);
  return static_cast<int>(std::max<size_t>(1, std::min(wanted, items)));
}

void parallel_for_each(size_t n, const ParallelOptions& options,
                       const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  const size_t workers = std::min(n, static_cast<size_t>(std::max(1, options.workers)));
  const TorchThreadsGuard one_thread(1);  // the calling thread's count, restored after
  std::atomic<size_t> next{0}, done{0};
  std::atomic<bool> stop{false};
  std::exception_ptr error;
  std::mutex mutex;
  std::condition_variable changed;
  auto work = [&] {
    at::set_num_threads(1);  // per thread (OpenMP)
    for (size_t i; !stop && (i = next++) < n;) {
      try {
        fn(i);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(mutex);
        if (!error) error = std::current_exception();
        stop = true;
      }
      ++done;
      changed.notify_one();
    }
  };
  std::vector<std::thread> pool;
  try {
    for (size_t w = 0; w < workers; ++w) pool.emplace_back(work);
  } catch (...) {  // no thread to be had: stop the started ones, never std::terminate
    stop = true;
    for (auto& t : pool) t.join();
    throw;
  }
  if (options.on_tick) {
    std::unique_lock<std::mutex> lock(mutex);
    while (done < n && !stop) {
      changed.wait_for(lock, std::chrono::milliseconds(std::max(1, options.tick_ms)));
      options.on_tick(done);
    }
  }
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace melclass
