// Allocating and freeing 1 MiB in a steady loop through hal's CUDA driver,
// whose caching sub-allocator reuses freed blocks without a driver call,
// against cuMemAlloc + cuMemFree called directly, in the same run on the same
// GPU. Target: hal at least 10x faster (aim: below 0.5 us per pair). Refuses
// the fake libcuda.
#include <cstdint>

#include "absl/status/status.h"
#include "bench/bench_main.h"
#include "bench/cuda_raw.h"
#include "bench/ratio_reporter.h"
#include "benchmark/benchmark.h"
#include "hal/hal.h"

namespace hal::bench {
namespace {

constexpr uint64_t kBytes = 1 << 20;

void SetMicrosecondsPerPair(benchmark::State& state) {
  state.counters["us_per_allocate_free"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * 1e-6,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_CudaAllocateFreeHal(benchmark::State& state) {
  absl::StatusOr<BenchContext> context = OpenCudaBenchContext("noop");
  if (!context.ok()) {
    state.SkipWithError(context.status().ToString().c_str());
    return;
  }
  for (auto _ : state) {
    auto buffer = context->device->Allocate(kBytes);
    if (!buffer.ok()) {
      state.SkipWithError(buffer.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(buffer->get());
  }
  SetMicrosecondsPerPair(state);
}
BENCHMARK(BM_CudaAllocateFreeHal);

void BM_CudaAllocateFreeRaw(benchmark::State& state) {
  absl::StatusOr<std::unique_ptr<RawCuda>> raw = RawCuda::OpenBenchDevice();
  if (!raw.ok()) {
    state.SkipWithError(raw.status().ToString().c_str());
    return;
  }
  const RawCuda& cuda = **raw;
  for (auto _ : state) {
    CUdeviceptr pointer = 0;
    absl::Status status = cuda.Check(cuda.cu().cuMemAlloc(&pointer, kBytes), "cuMemAlloc");
    if (status.ok()) status = cuda.Check(cuda.cu().cuMemFree(pointer), "cuMemFree");
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      return;
    }
  }
  SetMicrosecondsPerPair(state);
}
BENCHMARK(BM_CudaAllocateFreeRaw);

}  // namespace
}  // namespace hal::bench

int main(int argc, char** argv) {
  hal::bench::RatioReporter reporter({
      .measured_function = "BM_CudaAllocateFreeHal",
      .baseline_function = "BM_CudaAllocateFreeRaw",
      .description = "allocate + free of 1 MiB, hal CUDA driver / raw cuMemAlloc + cuMemFree",
      .counter = "us_per_allocate_free",
      .display_scale = 1,
      .display_unit = "us",
      .higher_is_better = false,
      .target_ratio = 0.1,
  });
  return hal::bench::RunBenchmarkMain(argc, argv, &reporter);
}
