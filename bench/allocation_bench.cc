// What a virtual device costs an allocation, on the CPU driver, in one run:
// allocate + free on a plain device context against the same on a virtual
// device, whose new buffers are zeroed (isolation) without waiting: small
// host-mappable buffers in place, larger ones in stream order on the device's
// service stream (runtime/buffer_zeroing.h). Target: 4 KiB at most 2x the
// plain context. For information: an overcommitted pool's virtual device
// (every allocation also passes the residency manager), and 1 MiB buffers,
// whose clear takes the service stream.
#include "bench/bench_context.h"
#include "bench/bench_main.h"
#include "bench/ratio_reporter.h"
#include "benchmark/benchmark.h"
#include "hal/hal.h"
#include "hal/virtual_device.h"

namespace hal::bench {
namespace {

constexpr uint64_t kSmall = 4096;
constexpr uint64_t kLarge = 1 << 20;

void AllocateAndFree(benchmark::State& state, Device& device, uint64_t bytes) {
  for (auto _ : state) {
    auto buffer = device.Allocate(bytes);
    if (!buffer.ok()) {
      state.SkipWithError(buffer.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(buffer->get());
  }
  state.counters["us_per_allocate_free"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * 1e-6,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void OnPlainContext(benchmark::State& state, uint64_t bytes) {
  auto context = OpenBenchContext("cpu", "noop");
  if (!context.ok()) {
    state.SkipWithError(context.status().ToString().c_str());
    return;
  }
  AllocateAndFree(state, *context->device, bytes);
}

// On a virtual device with all of cpu:0, in a pool of the given overcommit.
void OnVirtualDevice(benchmark::State& state, double overcommit_ratio, uint64_t bytes) {
  auto context = OpenBenchContext("cpu", "noop");
  if (!context.ok()) {
    state.SkipWithError(context.status().ToString().c_str());
    return;
  }
  PoolOptions options;
  options.overcommit_ratio = overcommit_ratio;
  auto pool = Pool::Create({&context->device->physical_device()}, options);
  VirtualDeviceSpec spec;
  spec.name = "bench";
  spec.memory_quota = 1 << 30;
  auto vd = pool.ok() ? (*pool)->CreateVirtualDevice(spec) : pool.status();
  if (!vd.ok()) {
    state.SkipWithError(vd.status().ToString().c_str());
    return;
  }
  AllocateAndFree(state, *(*vd)->device(), bytes);
}

void BM_AllocateFreePlain(benchmark::State& state) { OnPlainContext(state, kSmall); }
BENCHMARK(BM_AllocateFreePlain);
void BM_AllocateFreeVirtualDevice(benchmark::State& state) { OnVirtualDevice(state, 1.0, kSmall); }
BENCHMARK(BM_AllocateFreeVirtualDevice);
void BM_AllocateFreeOvercommittedVirtualDevice(benchmark::State& state) {
  OnVirtualDevice(state, 2.0, kSmall);
}
BENCHMARK(BM_AllocateFreeOvercommittedVirtualDevice);
void BM_AllocateFreePlain1MiB(benchmark::State& state) { OnPlainContext(state, kLarge); }
BENCHMARK(BM_AllocateFreePlain1MiB);
void BM_AllocateFreeVirtualDevice1MiB(benchmark::State& state) {
  OnVirtualDevice(state, 1.0, kLarge);
}
BENCHMARK(BM_AllocateFreeVirtualDevice1MiB);

}  // namespace
}  // namespace hal::bench

int main(int argc, char** argv) {
  hal::bench::RatioReporter reporter({
      .measured_function = "BM_AllocateFreeVirtualDevice",
      .baseline_function = "BM_AllocateFreePlain",
      .description = "allocate + free of 4 KiB, virtual device / plain context (CPU driver)",
      .counter = "us_per_allocate_free",
      .display_scale = 1,
      .display_unit = "us",
      .higher_is_better = false,
      .target_ratio = 2.0,
  });
  return hal::bench::RunBenchmarkMain(argc, argv, &reporter);
}
