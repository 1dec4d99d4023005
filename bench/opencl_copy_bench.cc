// Host -> device -> host round trips of 256 MiB through hal's OpenCL driver
// against the same transfers written directly against OpenCL (a non-blocking
// write and read of one device buffer, then clFinish), in the same run and on
// the same device. Target: hal's throughput at least 0.9x raw OpenCL's. Both
// check the data after timing.
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/bench_context.h"
#include "bench/bench_main.h"
#include "bench/ratio_reporter.h"
#include "bench/raw_opencl.h"
#include "bench/round_trip.h"
#include "benchmark/benchmark.h"

namespace hal::bench {
namespace {

void BM_OpenClRoundTripHal(benchmark::State& state) {
  ReportIfFailed(state, MeasureHalRoundTrips(state, "opencl"));
}
BENCHMARK(BM_OpenClRoundTripHal)->UseRealTime()->Unit(benchmark::kMillisecond);

absl::Status MeasureRaw(benchmark::State& state) {
  HAL_ASSIGN_OR_RETURN(const std::string name, BenchOpenClDeviceName());
  HAL_ASSIGN_OR_RETURN(std::unique_ptr<RawOpenCl> raw, RawOpenCl::Open(name));
  HAL_ASSIGN_OR_RETURN(const cl_mem buffer, raw->CreateBuffer(kCopyBytes));
  const opencl::OpenClApi& cl = raw->cl();
  RoundTripData data;
  return MeasureRoundTrips(state, data, [&]() -> absl::Status {
    HAL_RETURN_IF_ERROR(
        ClStatus(cl.clEnqueueWriteBuffer(raw->queue(), buffer, CL_FALSE, 0, kCopyBytes,
                                         data.source(), 0, nullptr, nullptr),
                 "clEnqueueWriteBuffer"));
    HAL_RETURN_IF_ERROR(
        ClStatus(cl.clEnqueueReadBuffer(raw->queue(), buffer, CL_FALSE, 0, kCopyBytes,
                                        data.destination(), 0, nullptr, nullptr),
                 "clEnqueueReadBuffer"));
    return ClStatus(cl.clFinish(raw->queue()), "clFinish");
  });
}

void BM_OpenClRoundTripRaw(benchmark::State& state) { ReportIfFailed(state, MeasureRaw(state)); }
BENCHMARK(BM_OpenClRoundTripRaw)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace hal::bench

int main(int argc, char** argv) {
  hal::bench::RatioReporter reporter({
      .measured_function = "BM_OpenClRoundTripHal",
      .baseline_function = "BM_OpenClRoundTripRaw",
      .description = "256 MiB host->device->host round trip throughput, hal OpenCL driver / raw "
                     "OpenCL",
      .target_ratio = 0.9,
  });
  return hal::bench::RunBenchmarkMain(argc, argv, &reporter);
}
