// What a virtual device's memory quota costs an allocation: the quota
// ledger's own work (charge + uncharge of 4 KiB), measured alone. Target:
// accounting adds under 100 ns. The whole allocate + free of a virtual device
// against a plain context (which also zeroes the new buffer, for isolation)
// is hal_bench_allocation's (allocation_bench.cc).
#include "bench/bench_main.h"
#include "benchmark/benchmark.h"
#include "virtual-device/quota_ledger.h"

namespace hal::bench {
namespace {

constexpr uint64_t kBufferBytes = 4096;

void BM_QuotaChargeUncharge(benchmark::State& state) {
  internal::QuotaLedger ledger("bench", 1 << 30, /*priority=*/0, /*pin_limit=*/0);
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
