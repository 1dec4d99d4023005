// saxpy_f32 (y = a*x + y) on 64 MiB vectors through the CPU driver, against a
// plain C++ loop over the same data on the same number of threads, in the same
// run. Both are memory bound, so their bytes_per_second ratio is what hal's
// dispatch path costs a bandwidth-bound kernel (target: hal >= 0.8 of the
// loop). Every run checks its result, so a fast but wrong run cannot pass.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "bench/bench_context.h"
#include "bench/bench_main.h"
#include "bench/host_thread_pool.h"
#include "bench/ratio_reporter.h"
#include "benchmark/benchmark.h"

namespace hal::bench {
namespace {

constexpr uint32_t kElementCount = 16u << 20;  // 16 Mi floats: 64 MiB per vector
constexpr uint64_t kVectorBytes = uint64_t{kElementCount} * sizeof(float);
// Every run starts from x = 1, y = 0 and adds a*x to y once per saxpy; these
// values keep y an exact small integer in float, so the check is exact.
constexpr float kA = 2.0f;
constexpr float kX = 1.0f;
constexpr float kInitialY = 0.0f;
// The baseline's vectors start on a cache line, like device buffers do.
constexpr size_t kHostAlignment = 64;

// The push-constant block saxpy_f32 declares.
struct SaxpyPushConstants {
  float a;
  uint32_t n;
};

// Traffic of one saxpy: read x, read y, write y.
void SetSaxpyBytesProcessed(benchmark::State& state) {
  state.SetBytesProcessed(state.iterations() * 3 * static_cast<int64_t>(kVectorBytes));
}

// The threads both sides use: the CPU driver sizes its pool the same way.
unsigned WorkerThreadCount() { return std::max(std::thread::hardware_concurrency(), 1u); }

// OK when every element of `y` equals what `saxpy_runs` saxpys give.
absl::Status CheckSaxpyResult(absl::Span<const float> y, int64_t saxpy_runs) {
  const float expected = kInitialY + kA * kX * static_cast<float>(saxpy_runs);
  for (size_t i = 0; i < y.size(); ++i) {
    if (y[i] != expected) {
      return absl::InternalError(absl::StrCat("saxpy_f32 result is wrong: y[", i, "] is ", y[i],
                                              " after ", saxpy_runs, " runs, expected ", expected));
    }
  }
  return absl::OkStatus();
}

// Runs the timed loop through hal, then checks y. The buffers are filled on
// the device first, which also touches every page before timing.
absl::Status MeasureHalSaxpy(benchmark::State& state, BenchContext& context) {
  Device& device = *context.device;
  Queue& queue = *context.queue;
  const Kernel& saxpy = *context.kernel;
  HAL_ASSIGN_OR_RETURN(const std::shared_ptr<Buffer> x, device.Allocate(kVectorBytes),
                       "allocating x");
  HAL_ASSIGN_OR_RETURN(const std::shared_ptr<Buffer> y, device.Allocate(kVectorBytes),
                       "allocating y");
  HAL_RETURN_IF_ERROR(queue.Fill(*x, 0, kVectorBytes, std::bit_cast<uint32_t>(kX)));
  HAL_RETURN_IF_ERROR(queue.Fill(*y, 0, kVectorBytes, std::bit_cast<uint32_t>(kInitialY)));

  const uint32_t workgroup_size = saxpy.workgroup_size()[0];
  const GridSize grid{(kElementCount + workgroup_size - 1) / workgroup_size, 1, 1};
  const BufferBinding bindings[] = {{x.get(), 0}, {y.get(), 0}};
  const SaxpyPushConstants constants{kA, kElementCount};
  // One untimed run warms the kernel, the driver's threads and the caches.
  HAL_RETURN_IF_ERROR(queue.Dispatch(saxpy, grid, bindings, constants), "warming up");
  HAL_RETURN_IF_ERROR(queue.Synchronize(), "warming up");

  for (auto _ : state) {
    HAL_RETURN_IF_ERROR(queue.Dispatch(saxpy, grid, bindings, constants));
    HAL_RETURN_IF_ERROR(queue.Synchronize());
  }

  std::vector<float> result(kElementCount);
  HAL_RETURN_IF_ERROR(queue.CopyDeviceToHost(*y, 0, result.data(), kVectorBytes));
  HAL_RETURN_IF_ERROR(queue.Synchronize());
  return CheckSaxpyResult(result, state.iterations() + 1);
}

void BM_SaxpyHal(benchmark::State& state) {
  absl::StatusOr<BenchContext> context = OpenBenchContext("cpu", "saxpy_f32");
  absl::Status status = context.status();
  if (status.ok()) status = MeasureHalSaxpy(state, *context);
  if (!status.ok()) {
    state.SkipWithError(status.ToString().c_str());
    return;
  }
  SetSaxpyBytesProcessed(state);
  state.counters["compute_units"] = context->device->physical_device().properties().compute_units;
}
BENCHMARK(BM_SaxpyHal)->UseRealTime()->Unit(benchmark::kMillisecond);

struct FreeDeleter {
  void operator()(float* memory) const { std::free(memory); }
};
using HostFloats = std::unique_ptr<float[], FreeDeleter>;

// The baseline pool is persistent across benchmark runs, as the driver's is.
HostThreadPool& BaselinePool() {
  static HostThreadPool pool(WorkerThreadCount());
  return pool;
}

void BM_SaxpyCppLoop(benchmark::State& state) {
  HostFloats x(static_cast<float*>(std::aligned_alloc(kHostAlignment, kVectorBytes)));
  HostFloats y(static_cast<float*>(std::aligned_alloc(kHostAlignment, kVectorBytes)));
  if (x == nullptr || y == nullptr) {
    state.SkipWithError(
        absl::StrCat("cannot allocate two vectors of ", kVectorBytes, " bytes for the baseline")
            .c_str());
    return;
  }
  float* const x_data = x.get();
  float* const y_data = y.get();
  HostThreadPool& pool = BaselinePool();
  // Each worker first touches the chunk it will later process.
  pool.ParallelFor(kElementCount, [=](size_t begin, size_t end) {
    std::fill(x_data + begin, x_data + end, kX);
    std::fill(y_data + begin, y_data + end, kInitialY);
  });
  const auto saxpy = [=](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) y_data[i] = kA * x_data[i] + y_data[i];
  };
  pool.ParallelFor(kElementCount, saxpy);  // warm-up, as for hal

  for (auto _ : state) pool.ParallelFor(kElementCount, saxpy);

  const absl::Status status =
      CheckSaxpyResult(absl::MakeConstSpan(y_data, kElementCount), state.iterations() + 1);
  if (!status.ok()) {
    state.SkipWithError(status.ToString().c_str());
    return;
  }
  SetSaxpyBytesProcessed(state);
  state.counters["threads"] = pool.thread_count();
}
BENCHMARK(BM_SaxpyCppLoop)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace hal::bench

int main(int argc, char** argv) {
  hal::bench::RatioReporter reporter({
      .measured_function = "BM_SaxpyHal",
      .baseline_function = "BM_SaxpyCppLoop",
      .description = absl::StrCat("saxpy_f32 bandwidth, hal CPU driver / C++ loop on ",
                                  hal::bench::WorkerThreadCount(), " threads"),
      .target_ratio = 0.8,
  });
  return hal::bench::RunBenchmarkMain(argc, argv, &reporter);
}
