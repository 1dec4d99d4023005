// What one dispatch costs through hal's OpenCL driver against the same work
// written directly against OpenCL, in the same run and on the same device
// (pocl in CI): the standard bundle's "noop" kernel (no arguments, one
// workgroup of one work-item) enqueued and finished, one per clFinish.
// Target: hal's median round trip within 1.2x of raw OpenCL's.
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/bench_context.h"
#include "bench/bench_main.h"
#include "bench/iteration_latency.h"
#include "bench/noop_dispatch.h"
#include "bench/ratio_reporter.h"
#include "bench/raw_opencl.h"
#include "benchmark/benchmark.h"

namespace hal::bench {
namespace {

constexpr char kKernel[] = "noop";

void BM_OpenClNoopDispatchHal(benchmark::State& state) {
  BenchmarkHalNoopDispatch(state, "opencl");
}
BENCHMARK(BM_OpenClNoopDispatchHal)->UseRealTime();

// Enqueue, finish: what an OpenCL program does for one dispatch.
absl::Status RawDispatchAndWait(const RawOpenCl& raw, cl_kernel kernel) {
  const size_t one[3] = {1, 1, 1};
  HAL_RETURN_IF_ERROR(ClStatus(raw.cl().clEnqueueNDRangeKernel(raw.queue(), kernel, 3, nullptr, one,
                                                               one, 0, nullptr, nullptr),
                               "clEnqueueNDRangeKernel"));
  return ClStatus(raw.cl().clFinish(raw.queue()), "clFinish");
}

absl::Status MeasureRaw(benchmark::State& state) {
  HAL_ASSIGN_OR_RETURN(const std::string name, BenchOpenClDeviceName());
  HAL_ASSIGN_OR_RETURN(const std::string source, StandardOpenClSource(kKernel));
  HAL_ASSIGN_OR_RETURN(std::unique_ptr<RawOpenCl> raw, RawOpenCl::Open(name));
  HAL_ASSIGN_OR_RETURN(const cl_kernel kernel, raw->BuildKernel(source, kKernel));
  HAL_RETURN_IF_ERROR(RawDispatchAndWait(*raw, kernel), "warming up");
  IterationLatency latency(state);
  for (auto _ : state) {
    HAL_RETURN_IF_ERROR(latency.Time([&] { return RawDispatchAndWait(*raw, kernel); }));
  }
  latency.SetDispatchCounters(state, 1);
  return absl::OkStatus();
}

void BM_OpenClNoopDispatchRaw(benchmark::State& state) {
  if (absl::Status status = MeasureRaw(state); !status.ok()) {
    state.SkipWithError(status.ToString().c_str());
  }
}
BENCHMARK(BM_OpenClNoopDispatchRaw)->UseRealTime();

}  // namespace
}  // namespace hal::bench

int main(int argc, char** argv) {
  hal::bench::RatioReporter reporter({
      .measured_function = "BM_OpenClNoopDispatchHal",
      .baseline_function = "BM_OpenClNoopDispatchRaw",
      .description = "noop dispatch + finish, median time, hal OpenCL driver / raw OpenCL",
      .counter = "median_us_per_dispatch",
      .display_scale = 1,
      .display_unit = "us",
      .higher_is_better = false,
      .target_ratio = 1.2,
  });
  return hal::bench::RunBenchmarkMain(argc, argv, &reporter);
}
