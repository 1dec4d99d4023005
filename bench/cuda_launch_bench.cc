// Empty-kernel launch throughput through hal's CUDA driver against
// cuLaunchKernel called directly, in the same run on the same GPU: the
// standard bundle's "noop" (no parameters, one block of one thread), launched
// kLaunches times back to back, then one wait for the stream. Target: hal's
// launches per second at least 0.95x raw. Refuses the fake libcuda.
#include <cstdint>

#include "absl/status/status.h"
#include "bench/bench_main.h"
#include "bench/cuda_raw.h"
#include "bench/ratio_reporter.h"
#include "benchmark/benchmark.h"
#include "hal/hal.h"

namespace hal::bench {
namespace {

constexpr int kLaunches = 1000;

// Runs `launch_all` (kLaunches launches and a wait) once untimed, then per
// iteration, and sets launches per second.
template <typename LaunchAll>
void MeasureLaunches(benchmark::State& state, const LaunchAll& launch_all) {
  if (absl::Status status = launch_all(); !status.ok()) {
    state.SkipWithError(status.ToString().c_str());
    return;
  }
  for (auto _ : state) {
    if (absl::Status status = launch_all(); !status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      return;
    }
  }
  state.counters["launches_per_second"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * kLaunches, benchmark::Counter::kIsRate);
}

void BM_CudaNoopLaunchHal(benchmark::State& state) {
  absl::StatusOr<BenchContext> context = OpenCudaBenchContext("noop");
  if (!context.ok()) {
    state.SkipWithError(context.status().ToString().c_str());
    return;
  }
  Queue& queue = *context->queue;
  const Kernel& noop = *context->kernel;
  MeasureLaunches(state, [&]() -> absl::Status {
    for (int i = 0; i < kLaunches; ++i) HAL_RETURN_IF_ERROR(queue.Dispatch(noop, {1, 1, 1}, {}));
    return queue.Synchronize();
  });
}
BENCHMARK(BM_CudaNoopLaunchHal)->UseRealTime();

void BM_CudaNoopLaunchRaw(benchmark::State& state) {
  absl::StatusOr<std::unique_ptr<RawCuda>> raw = RawCuda::OpenBenchDevice();
  absl::StatusOr<CUfunction> noop = raw.ok() ? (*raw)->LoadStandardKernel("noop") : raw.status();
  if (!noop.ok()) {
    state.SkipWithError(noop.status().ToString().c_str());
    return;
  }
  const RawCuda& cuda = **raw;
  MeasureLaunches(state, [&]() -> absl::Status {
    for (int i = 0; i < kLaunches; ++i) {
      HAL_RETURN_IF_ERROR(cuda.Check(
          cuda.cu().cuLaunchKernel(*noop, 1, 1, 1, 1, 1, 1, 0, cuda.stream(), nullptr, nullptr),
          "cuLaunchKernel"));
    }
    return cuda.Check(cuda.cu().cuStreamSynchronize(cuda.stream()), "cuStreamSynchronize");
  });
}
BENCHMARK(BM_CudaNoopLaunchRaw)->UseRealTime();

}  // namespace
}  // namespace hal::bench

int main(int argc, char** argv) {
  hal::bench::RatioReporter reporter({
      .measured_function = "BM_CudaNoopLaunchHal",
      .baseline_function = "BM_CudaNoopLaunchRaw",
      .description = "noop launches per second, hal CUDA driver / raw cuLaunchKernel",
      .counter = "launches_per_second",
      .display_scale = 1e-3,
      .display_unit = "k/s",
      .target_ratio = 0.95,
  });
  return hal::bench::RunBenchmarkMain(argc, argv, &reporter);
}
