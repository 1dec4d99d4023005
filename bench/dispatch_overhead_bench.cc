// The time hal adds to one dispatch above its driver: Queue::Dispatch against
// the driver table's stream_dispatch called directly, in the same process, on
// the same driver context with the same kernel handle and buffer. Each
// iteration runs a batch of kBatch dispatches through hal, waits, then the same
// batch straight through the table on a stream of its own, and waits; the two
// are interleaved so that both see the same load on a shared machine. The
// difference is hal's own cost: validation, residency binding, the compute
// gate, retention until completion, lost-context checks.
//
// Cases: a plain device and a virtual device of an overcommitted pool with
// half the device's compute (a residency controller; the time-slice gate where
// the device has no hard partitions); "noop" (no bindings) and "fill_f32" (one
// binding and push constants). --device picks the device (default "cpu"); on
// "cuda" with the fake libcuda the figure is hal's overhead above the fake's
// cheap cuLaunchKernel, not a GPU figure (bench/cuda_launch_bench.cc is that).
//
// It reaches into libhal's internal state (runtime/object_states.h) for the
// driver table, context and kernel handle: the baseline must be the very call
// hal makes, minus hal.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bench/bench_context.h"
#include "bench/bench_main.h"
#include "benchmark/benchmark.h"
#include "hal/hal.h"
#include "hal/status_macros.h"
#include "runtime/driver_descs.h"
#include "runtime/object_states.h"

ABSL_FLAG(std::string, device, "cpu",
          "Selector of the device whose dispatch overhead is measured.");

namespace hal::bench {
namespace {

constexpr int kBatch = 64;  // dispatches per wait
constexpr uint64_t kFillElements = 256;

// Push constants of fill_f32 (kernels/cpu/fill_f32.cc).
struct FillPushConstants {
  float value;
  uint32_t n;
};

// One dispatch as both sides issue it: the kernel, and its binding when it
// takes one.
struct Work {
  std::shared_ptr<Kernel> kernel;
  std::shared_ptr<Buffer> buffer;  // null for noop
  FillPushConstants push{1.0f, static_cast<uint32_t>(kFillElements)};

  absl::Span<const uint8_t> push_bytes() const {
    if (!buffer) return {};
    return {reinterpret_cast<const uint8_t*>(&push), sizeof(push)};
  }
};

// A stream of `device`'s driver context, driven through the driver table
// exactly as QueueState drives its own.
class TableStream {
 public:
  static absl::StatusOr<std::unique_ptr<TableStream>> Create(const Device& device) {
    const internal::DeviceState& state = *internal::Access::State(device);
    hal_drv_stream* stream = nullptr;
    if (state.table->stream_create(state.context, &internal::kStreamDesc, &stream) != HAL_SUCCESS) {
      return absl::InternalError(absl::StrCat("stream_create failed on ", state.label));
    }
    return std::unique_ptr<TableStream>(new TableStream(state.table, stream));
  }
  ~TableStream() { table_->stream_destroy(stream_); }
  TableStream(const TableStream&) = delete;
  TableStream& operator=(const TableStream&) = delete;

  // Enqueues kBatch dispatches of `work`.
  absl::Status Submit(const Work& work) {
    hal_binding binding{};
    hal_dispatch_desc desc{};
    desc.type = HAL_STRUCTURE_TYPE_DISPATCH_DESC;
    desc.workgroup_count[0] = desc.workgroup_count[1] = desc.workgroup_count[2] = 1;
    if (work.buffer) {
      // Resident: hal's dispatches of the same buffer restored it, and the
      // pool has room for everything this benchmark allocates.
      binding.buffer = internal::Access::State(*work.buffer)->buffer;
      desc.bindings = &binding;
      desc.binding_count = 1;
      desc.push_constants = &work.push;
      desc.push_constant_size = sizeof(work.push);
    }
    hal_drv_kernel* kernel = internal::Access::State(*work.kernel)->kernel;
    for (int i = 0; i < kBatch; ++i) {
      if (table_->stream_dispatch(stream_, kernel, &desc) != HAL_SUCCESS) {
        return absl::InternalError("stream_dispatch failed");
      }
    }
    return absl::OkStatus();
  }
  absl::Status Synchronize() {
    if (table_->stream_synchronize(stream_) != HAL_SUCCESS) {
      return absl::InternalError("stream_synchronize failed");
    }
    return absl::OkStatus();
  }

 private:
  TableStream(const hal_driver_table* table, hal_drv_stream* stream)
      : table_(table), stream_(stream) {}
  const hal_driver_table* table_;
  hal_drv_stream* stream_;
};

// Enqueues kBatch dispatches of `work` through hal.
absl::Status HalSubmit(Queue& queue, const Work& work) {
  BufferBinding binding{work.buffer.get(), 0};
  const absl::Span<const BufferBinding> bindings =
      work.buffer ? absl::MakeConstSpan(&binding, 1) : absl::Span<const BufferBinding>();
  for (int i = 0; i < kBatch; ++i) {
    HAL_RETURN_IF_ERROR(
        queue.Dispatch(*work.kernel, GridSize{1, 1, 1}, bindings, work.push_bytes()));
  }
  return absl::OkStatus();
}

// The µs per dispatch of enqueueing a batch (`submit`) and of the batch
// including the wait for it (`batch`).
struct BatchTimes {
  std::vector<double> submit_us, batch_us;
};

template <typename Submit, typename Wait>
absl::Status TimeBatch(BatchTimes& times, const Submit& submit, const Wait& wait) {
  using Clock = std::chrono::steady_clock;
  auto per_dispatch_us = [](Clock::duration d) {
    return std::chrono::duration<double, std::micro>(d).count() / kBatch;
  };
  const auto start = Clock::now();
  HAL_RETURN_IF_ERROR(submit());
  const auto submitted = Clock::now();
  HAL_RETURN_IF_ERROR(wait());
  const auto end = Clock::now();
  times.submit_us.push_back(per_dispatch_us(submitted - start));
  times.batch_us.push_back(per_dispatch_us(end - start));
  return absl::OkStatus();
}

double Median(std::vector<double> values) {
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return values[values.size() / 2];
}

// Everything a case runs on; destroyed in reverse order of declaration, the
// runtime last.
struct Setup {
  SelectedDevice selected;
  std::unique_ptr<Pool> pool;  // only for the virtual device
  std::shared_ptr<VirtualDevice> virtual_device;
  std::shared_ptr<Device> device;
  std::unique_ptr<Queue> queue;
  Work work;
  std::unique_ptr<TableStream> table_stream;
};

absl::StatusOr<std::unique_ptr<Setup>> Open(bool virtual_device, const std::string& kernel) {
  auto setup = std::make_unique<Setup>();
  HAL_ASSIGN_OR_RETURN(setup->selected, SelectDevice(absl::GetFlag(FLAGS_device)));
  if (virtual_device) {
    PoolOptions options;
    options.overcommit_ratio = 2.0;  // a residency controller binds every buffer
    HAL_ASSIGN_OR_RETURN(setup->pool, Pool::Create({setup->selected.device}, options));
    VirtualDeviceSpec spec;
    spec.name = "overhead";
    spec.memory_quota = 64 << 20;
    spec.compute_share = 0.5;  // the time-slice gate, or a hard partition
    HAL_ASSIGN_OR_RETURN(setup->virtual_device, setup->pool->CreateVirtualDevice(spec));
    setup->device = setup->virtual_device->device();
  } else {
    HAL_ASSIGN_OR_RETURN(setup->device, setup->selected.device->Open());
  }
  HAL_ASSIGN_OR_RETURN(setup->queue, setup->device->CreateQueue());
  HAL_ASSIGN_OR_RETURN(const KernelBundle bundle, KernelBundle::ReadFile(StandardBundlePath()));
  HAL_ASSIGN_OR_RETURN(setup->work.kernel, setup->device->LoadKernel(bundle, kernel));
  if (kernel != "noop") {
    HAL_ASSIGN_OR_RETURN(setup->work.buffer,
                         setup->device->Allocate(kFillElements * sizeof(float)));
  }
  HAL_ASSIGN_OR_RETURN(setup->table_stream, TableStream::Create(*setup->device));
  return setup;
}

// state.range(0): 1 for a virtual device. Counters, each the median over
// iterations in µs per dispatch: enqueueing through hal and through the table
// (the calling thread's cost, which bounds launch throughput), their
// difference (hal's overhead), and each whole batch with its wait.
void BM_DispatchOverhead(benchmark::State& state, const std::string& kernel) {
  auto setup = Open(state.range(0) == 1, kernel);
  if (!setup.ok()) {
    state.SkipWithError(setup.status().ToString().c_str());
    return;
  }
  Setup& s = **setup;
  BatchTimes hal, table;
  for (auto _ : state) {
    absl::Status status = TimeBatch(
        hal, [&] { return HalSubmit(*s.queue, s.work); }, [&] { return s.queue->Synchronize(); });
    if (status.ok()) {
      status = TimeBatch(
          table, [&] { return s.table_stream->Submit(s.work); },
          [&] { return s.table_stream->Synchronize(); });
    }
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["hal_submit_us"] = Median(hal.submit_us);
  state.counters["table_submit_us"] = Median(table.submit_us);
  state.counters["overhead_us"] = Median(hal.submit_us) - Median(table.submit_us);
  state.counters["hal_batch_us"] = Median(hal.batch_us);
  state.counters["table_batch_us"] = Median(table.batch_us);
}
BENCHMARK_CAPTURE(BM_DispatchOverhead, noop, std::string("noop"))
    ->ArgName("virtual")
    ->Arg(0)
    ->Arg(1)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_DispatchOverhead, fill, std::string("fill_f32"))
    ->ArgName("virtual")
    ->Arg(0)
    ->Arg(1)
    ->UseRealTime();

}  // namespace
}  // namespace hal::bench

int main(int argc, char** argv) { return hal::bench::RunBenchmarkMain(argc, argv); }
