// The partition table: one compute-bound kernel (the standard gemm_f32, M = N
// = K = 2048) on a virtual device with a hard compute quota of 8, 16, 32 and
// 64 SMs (a CUDA green context, through the pool's compute share) and on the
// whole device; time per run and the SMs the driver granted (minimum and
// alignment round a request up: on Hopper 8 SMs at a time). A device without
// SM partitions skips with the reason. Refuses the fake libcuda. The result is
// checked after timing (A and B all ones: every element of C is K).
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bench/bench_main.h"
#include "bench/cuda_raw.h"
#include "benchmark/benchmark.h"
#include "hal/hal.h"
#include "hal/virtual_device.h"

namespace hal::bench {
namespace {

constexpr uint32_t kSize = 2048;  // M = N = K
constexpr uint64_t kMatrixBytes = uint64_t{kSize} * kSize * sizeof(float);
constexpr uint32_t kOne = 0x3F800000;  // 1.0f

struct GemmConstants {
  uint32_t m, n, k;
  float alpha, beta;
};

// A virtual device of `sms` SMs of the first CUDA device (0: the whole
// device) and the gemm's buffers on it.
struct Partition {
  std::unique_ptr<Pool> pool;
  std::shared_ptr<VirtualDevice> vd;
  std::unique_ptr<Queue> queue;
  std::shared_ptr<Kernel> gemm;
  std::shared_ptr<Buffer> a, b, c;
  uint32_t sms_granted = 0;
};

absl::StatusOr<Partition> OpenPartition(const PhysicalDevice& device, uint32_t sms) {
  const PartitionInfo& info = device.properties().partition;
  if (sms != 0 && (info.kind != PartitionKind::kSm || info.max_units == 0)) {
    return absl::UnavailableError(
        absl::StrCat(device.id(), " reports no SM partitions (green contexts)"));
  }
  if (sms > info.max_units) {
    return absl::UnavailableError(
        absl::StrCat(device.id(), " has ", info.max_units, " SMs, fewer than ", sms));
  }
  Partition partition;
  HAL_ASSIGN_OR_RETURN(partition.pool, Pool::Create({&device}));
  VirtualDeviceSpec spec;
  spec.name = absl::StrCat("sms-", sms);
  spec.memory_quota = 4 * kMatrixBytes;
  spec.compute_share = sms == 0 ? 1.0 : static_cast<double>(sms) / info.max_units;
  HAL_ASSIGN_OR_RETURN(partition.vd, partition.pool->CreateVirtualDevice(spec));
  if (sms != 0 && partition.vd->compute_enforcement() != ComputeEnforcement::kHardPartition) {
    return absl::UnavailableError(absl::StrCat(
        "the virtual device of ", sms, " SMs is enforced by ",
        ComputeEnforcementName(partition.vd->compute_enforcement()), ", not a hard partition"));
  }
  Device& vd = *partition.vd->device();
  partition.sms_granted = sms == 0 ? info.max_units : vd.partition_units();
  HAL_ASSIGN_OR_RETURN(partition.queue, vd.CreateQueue());
  const std::string path = StandardBundlePath();
  HAL_ASSIGN_OR_RETURN(const KernelBundle bundle, KernelBundle::ReadFile(path));
  HAL_ASSIGN_OR_RETURN(partition.gemm, vd.LoadKernel(bundle, "gemm_f32"));
  for (std::shared_ptr<Buffer>* matrix : {&partition.a, &partition.b, &partition.c}) {
    HAL_ASSIGN_OR_RETURN(*matrix, vd.Allocate(kMatrixBytes));
    HAL_RETURN_IF_ERROR(partition.queue->Fill(**matrix, 0, kMatrixBytes, kOne));
  }
  HAL_RETURN_IF_ERROR(partition.queue->Synchronize());
  return partition;
}

absl::Status RunGemm(Partition& p) {
  const BufferBinding bindings[] = {{p.a.get()}, {p.b.get()}, {p.c.get()}};
  HAL_RETURN_IF_ERROR(p.queue->Dispatch(*p.gemm, {kSize / 16, kSize / 16, 1}, bindings,
                                        GemmConstants{kSize, kSize, kSize, 1.0f, 0.0f}));
  return p.queue->Synchronize();
}

// Every element of C is K (a sum of K products 1 * 1, exact in float).
absl::Status CheckResult(Partition& p) {
  std::vector<float> c(uint64_t{kSize} * kSize);
  HAL_RETURN_IF_ERROR(p.queue->CopyDeviceToHost(*p.c, 0, c.data(), kMatrixBytes));
  HAL_RETURN_IF_ERROR(p.queue->Synchronize());
  for (size_t i = 0; i < c.size(); ++i) {
    if (c[i] != static_cast<float>(kSize)) {
      return absl::DataLossError(
          absl::StrCat("gemm_f32: C[", i, "] is ", c[i], ", expected ", kSize));
    }
  }
  return absl::OkStatus();
}

absl::Status Measure(benchmark::State& state, uint32_t sms) {
  HAL_ASSIGN_OR_RETURN(SelectedDevice selected, SelectDevice("cuda"));
  HAL_RETURN_IF_ERROR(RefuseFakeCuda());
  HAL_ASSIGN_OR_RETURN(Partition partition, OpenPartition(*selected.device, sms));
  HAL_RETURN_IF_ERROR(RunGemm(partition), "warming up");
  for (auto _ : state) HAL_RETURN_IF_ERROR(RunGemm(partition));
  HAL_RETURN_IF_ERROR(CheckResult(partition));
  state.counters["sms_granted"] = partition.sms_granted;
  state.counters["tflops"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * 2.0 * kSize * kSize * kSize * 1e-12,
      benchmark::Counter::kIsRate);
  return absl::OkStatus();
}

// Argument: the SMs asked for; 0 is the whole device.
void BM_CudaGemmOnSms(benchmark::State& state) {
  const absl::Status status = Measure(state, static_cast<uint32_t>(state.range(0)));
  if (!status.ok()) state.SkipWithError(status.ToString().c_str());
}
BENCHMARK(BM_CudaGemmOnSms)
    ->ArgName("sms")
    ->Arg(8)
    ->Arg(16)
    ->Arg(32)
    ->Arg(64)
    ->Arg(0)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace hal::bench

int main(int argc, char** argv) { return hal::bench::RunBenchmarkMain(argc, argv); }
