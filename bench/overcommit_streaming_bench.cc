// Streaming through overcommitted memory (issue 6's overcommit figures): a
// pool capped at --capacity_mib on one device (--device, default "cpu"), with
// an overcommit ratio of 1.5 and three virtual devices whose buffers fill
// their quotas, so half the capacity's worth of data is off the device at any
// time. One step writes one whole buffer with fill_f32; the steps visit every
// buffer of every tenant in turn, the worst order for an LRU cache, so every
// step restores its buffer and evicts another.
//
// Measured against the bound that host<->device bandwidth sets, in the same
// run on the same device: a step must at least copy a buffer out and one in
// and run the kernel, so bound = buffer / (t_d2h + t_h2d + t_kernel), each
// the fastest of 8 timed alone on a plain context. Issue 6's target: at least 0.7 of it. On
// CUDA, also against managed memory oversubscribed the same way
// (cuda_managed_streaming.cc, linked in where cuda.h is): issue 11's target, at least 2x.
// After timing, every buffer is read back and checked: a fast run that loses
// data reports an error instead of a figure.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "bench/bench_context.h"
#include "bench/bench_main.h"
#include "bench/fill_constants.h"
#include "bench/ratio_reporter.h"
#include "benchmark/benchmark.h"
#include "hal/hal.h"
#include "hal/virtual_device.h"

ABSL_FLAG(std::string, device, "cpu", "Selector of the device the pool is made of.");
ABSL_FLAG(uint64_t, capacity_mib, 256, "The pool's capacity cap on the device, in MiB.");
ABSL_FLAG(uint64_t, buffer_mib, 16, "Size of each streamed buffer, in MiB.");

namespace hal::bench {
namespace {

constexpr double kOvercommit = 1.5;
constexpr int kTenants = 3;

absl::Status Fill(Queue& queue, const Kernel& fill, const Buffer& buffer, float value) {
  const uint32_t n = static_cast<uint32_t>(buffer.size() / sizeof(float));
  const BufferBinding bindings[] = {{&buffer}};
  return queue.Dispatch(fill, {(n + 255) / 256, 1, 1}, bindings, FillConstants{value, n});
}

// The fastest of several calls of `step`, after a warm-up: a bound is what
// the device can do, so noise from a shared machine should not lower it.
template <typename Step>
absl::StatusOr<double> FastestSeconds(Step step) {
  constexpr int kRepeats = 8;
  HAL_RETURN_IF_ERROR(step());
  double fastest = std::numeric_limits<double>::infinity();
  for (int i = 0; i < kRepeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    HAL_RETURN_IF_ERROR(step());
    fastest = std::min(
        fastest, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return fastest;
}

// The transfer bound for one buffer of `bytes` on a plain context of `device`:
// bytes per second if a step cost only a copy out, a copy in and the kernel.
absl::StatusOr<double> TransferBound(const PhysicalDevice& device, const KernelBundle& bundle,
                                     uint64_t bytes) {
  HAL_ASSIGN_OR_RETURN(auto context, device.Open());
  HAL_ASSIGN_OR_RETURN(auto queue, context->CreateQueue());
  HAL_ASSIGN_OR_RETURN(auto fill, context->LoadKernel(bundle, "fill_f32"));
  HAL_ASSIGN_OR_RETURN(auto buffer, context->Allocate(bytes));
  std::vector<uint8_t> host(bytes, 1);
  HAL_ASSIGN_OR_RETURN(
      double d2h, FastestSeconds([&] {
        HAL_RETURN_IF_ERROR(queue->CopyDeviceToHost(*buffer, 0, host.data(), bytes));
        return queue->Synchronize();
      }));
  HAL_ASSIGN_OR_RETURN(
      double h2d, FastestSeconds([&] {
        HAL_RETURN_IF_ERROR(queue->CopyHostToDevice(host.data(), *buffer, 0, bytes));
        return queue->Synchronize();
      }));
  HAL_ASSIGN_OR_RETURN(double kernel, FastestSeconds([&] {
                         HAL_RETURN_IF_ERROR(Fill(*queue, *fill, *buffer, 1.0f));
                         return queue->Synchronize();
                       }));
  return static_cast<double>(bytes) / (d2h + h2d + kernel);
}

struct Tenant {
  std::shared_ptr<VirtualDevice> vd;
  std::unique_ptr<Queue> queue;
  std::shared_ptr<Kernel> fill;
  std::vector<std::shared_ptr<Buffer>> buffers;
  std::vector<float> last_value;  // what each buffer holds
};

// OK when every element of every buffer holds its last fill value.
absl::Status CheckEveryBuffer(std::vector<Tenant>& tenants) {
  for (Tenant& tenant : tenants) {
    for (size_t b = 0; b < tenant.buffers.size(); ++b) {
      std::vector<float> data(tenant.buffers[b]->size() / sizeof(float));
      HAL_RETURN_IF_ERROR(tenant.queue->CopyDeviceToHost(*tenant.buffers[b], 0, data.data(),
                                                         data.size() * sizeof(float)));
      HAL_RETURN_IF_ERROR(tenant.queue->Synchronize());
      const auto wrong = std::find_if(data.begin(), data.end(),
                                      [&](float value) { return value != tenant.last_value[b]; });
      if (wrong != data.end()) {
        return absl::DataLossError(absl::StrCat("tenant ", tenant.vd->name(), " buffer ", b,
                                                " element ", wrong - data.begin(), " is ", *wrong,
                                                ", expected ", tenant.last_value[b]));
      }
    }
  }
  return absl::OkStatus();
}

void BM_OvercommittedStreaming(benchmark::State& state) {
  auto fail = [&state](const absl::Status& status) {
    state.SkipWithError(std::string(status.message()).c_str());
  };
  const uint64_t capacity = absl::GetFlag(FLAGS_capacity_mib) << 20;
  const uint64_t buffer_bytes = absl::GetFlag(FLAGS_buffer_mib) << 20;
  auto selected = SelectDevice(absl::GetFlag(FLAGS_device));
  if (!selected.ok()) return fail(selected.status());
  const PhysicalDevice& physical = *selected->device;
  auto bundle = KernelBundle::ReadFile(StandardBundlePath());
  if (!bundle.ok()) return fail(bundle.status());
  auto bound = TransferBound(physical, *bundle, buffer_bytes);
  if (!bound.ok()) return fail(bound.status());

  PoolOptions pool_options;
  pool_options.overcommit_ratio = kOvercommit;
  pool_options.capacity_caps[physical.id()] = capacity;
  auto pool = Pool::Create({&physical}, pool_options);
  if (!pool.ok()) return fail(pool.status());
  const uint64_t quota = static_cast<uint64_t>(capacity * kOvercommit / kTenants);
  std::vector<Tenant> tenants(kTenants);
  for (int t = 0; t < kTenants; ++t) {
    VirtualDeviceSpec spec;
    spec.name = absl::StrCat("tenant-", t);
    spec.memory_quota = quota;
    spec.compute_share = 1.0 / kTenants;
    auto vd = (*pool)->CreateVirtualDevice(spec);
    if (!vd.ok()) return fail(vd.status());
    Tenant& tenant = tenants[t];
    tenant.vd = *vd;
    auto queue = tenant.vd->device()->CreateQueue();
    auto fill = tenant.vd->device()->LoadKernel(*bundle, "fill_f32");
    if (!queue.ok()) return fail(queue.status());
    if (!fill.ok()) return fail(fill.status());
    tenant.queue = *std::move(queue);
    tenant.fill = *std::move(fill);
    for (uint64_t used = 0; used + buffer_bytes <= quota; used += buffer_bytes) {
      auto buffer = tenant.vd->device()->Allocate(buffer_bytes);
      if (!buffer.ok()) return fail(buffer.status());
      tenant.buffers.push_back(*std::move(buffer));
      tenant.last_value.push_back(0.0f);  // new buffers read as zeros
    }
  }

  // One pass visits every buffer once, tenant by tenant.
  float value = 0;
  auto pass = [&]() -> absl::Status {
    for (Tenant& tenant : tenants) {
      for (size_t b = 0; b < tenant.buffers.size(); ++b) {
        value += 1;
        HAL_RETURN_IF_ERROR(Fill(*tenant.queue, *tenant.fill, *tenant.buffers[b], value));
        HAL_RETURN_IF_ERROR(tenant.queue->Synchronize());
        tenant.last_value[b] = value;
      }
    }
    return absl::OkStatus();
  };
  if (absl::Status status = pass(); !status.ok()) return fail(status);  // reach the steady state
  const Pool::ResidencyUsage before = *(*pool)->usage()[0].residency;
  uint64_t steps = 0;
  for (auto _ : state) {
    if (absl::Status status = pass(); !status.ok()) return fail(status);
    for (const Tenant& tenant : tenants) steps += tenant.buffers.size();
  }
  const Pool::ResidencyUsage after = *(*pool)->usage()[0].residency;
  if (absl::Status status = CheckEveryBuffer(tenants); !status.ok()) return fail(status);
  state.SetBytesProcessed(static_cast<int64_t>(steps * buffer_bytes));
  state.counters["bound_bytes_per_second"] = *bound;
  state.counters["evictions_per_step"] =
      static_cast<double>(after.evictions - before.evictions) / static_cast<double>(steps);
  state.counters["stalls"] = static_cast<double>(after.stalls - before.stalls);
  // The achieved/bound ratio, from the time Google Benchmark measured.
  state.counters["ratio_to_bound"] = benchmark::Counter(
      static_cast<double>(steps * buffer_bytes) / *bound, benchmark::Counter::kIsRate);
}

BENCHMARK(BM_OvercommittedStreaming)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace hal::bench

int main(int argc, char** argv) {
  hal::bench::RatioReporter reporter({
      .measured_function = "BM_OvercommittedStreaming",
      .baseline_function = "BM_ManagedStreaming",
      .description = "streaming at 1.5x overcommit, hal / CUDA managed memory (--device=cuda)",
      .target_ratio = 2.0,
  });
  return hal::bench::RunBenchmarkMain(argc, argv, &reporter);
}
