// What a virtual device's memory quota costs an allocation, on the CPU
// driver, in one run: allocate + free of 4 KiB on a plain device context
// against the same on a virtual device. The quota ledger's own work is
// measured alone too (charge + uncharge), since a virtual device's
// allocation also zeroes the new buffer (isolation), which is not
// accounting. Target: accounting adds under 100 ns.
#include "bench/bench_context.h"
#include "bench/bench_main.h"
#include "benchmark/benchmark.h"
#include "hal/hal.h"
#include "virtual-device/quota_ledger.h"

namespace hal::bench {
namespace {

constexpr uint64_t kBufferBytes = 4096;

void AllocateAndFree(benchmark::State& state, Device& device) {
  for (auto _ : state) {
    auto buffer = device.Allocate(kBufferBytes);
    if (!buffer.ok()) {
      state.SkipWithError(buffer.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(buffer->get());
  }
}

void BM_AllocateFreePlainDevice(benchmark::State& state) {
  auto context = OpenBenchContext("cpu", "noop");
  if (!context.ok()) {
    state.SkipWithError(context.status().ToString().c_str());
    return;
  }
  AllocateAndFree(state, *context->device);
}
BENCHMARK(BM_AllocateFreePlainDevice);

void BM_AllocateFreeVirtualDevice(benchmark::State& state) {
  auto context = OpenBenchContext("cpu", "noop");
  if (!context.ok()) {
    state.SkipWithError(context.status().ToString().c_str());
    return;
  }
  auto pool = Pool::Create({&context->device->physical_device()});
  VirtualDeviceSpec spec;
  spec.name = "bench";
  spec.memory_quota = 1 << 30;
  auto vd = pool.ok() ? (*pool)->CreateVirtualDevice(spec) : pool.status();
  if (!vd.ok()) {
    state.SkipWithError(vd.status().ToString().c_str());
    return;
  }
  AllocateAndFree(state, *(*vd)->device());
}
BENCHMARK(BM_AllocateFreeVirtualDevice);

void BM_QuotaChargeUncharge(benchmark::State& state) {
  internal::QuotaLedger ledger("bench", 1 << 30, /*priority=*/0);
  for (auto _ : state) {
    absl::Status status = ledger.Charge(kBufferBytes, kBufferBytes);
    benchmark::DoNotOptimize(status);
    ledger.Uncharge(kBufferBytes);
  }
}
BENCHMARK(BM_QuotaChargeUncharge);

}  // namespace
}  // namespace hal::bench

int main(int argc, char** argv) { return hal::bench::RunBenchmarkMain(argc, argv); }
