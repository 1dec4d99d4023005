// Host -> device and device -> host copies through the CPU driver (cpu:0),
// against a plain memcpy of the same 1 MiB blocks on the same number of
// threads, in the same run: the loop a framework would otherwise write. At
// 16 MiB a copy fits the last-level cache of most servers and the driver
// stores as memcpy does; at 256 MiB it does not, and the driver streams its
// stores (backends/cpu/README.md, "Streaming stores"). No target: the ratios
// show what hal's copy path costs or gains. Every run checks what it copied.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bench/bench_context.h"
#include "bench/bench_main.h"
#include "bench/host_thread_pool.h"
#include "bench/ratio_reporter.h"
#include "benchmark/benchmark.h"

namespace hal::bench {
namespace {

constexpr uint64_t kSizes[] = {uint64_t{16} << 20, uint64_t{256} << 20};
constexpr uint64_t kBlockBytes = uint64_t{1} << 20;  // the CPU driver's block
constexpr size_t kHostAlignment = 64;

enum class Direction { kHostToDevice, kDeviceToHost };

std::string SizeName(uint64_t size) { return absl::StrCat(size >> 20, "MiB"); }

std::string HalName(Direction direction, uint64_t size) {
  return absl::StrCat(
      direction == Direction::kHostToDevice ? "BM_HostToDeviceHal" : "BM_DeviceToHostHal",
      SizeName(size));
}

std::string LoopName(uint64_t size) { return absl::StrCat("BM_MemcpyLoop", SizeName(size)); }

struct FreeDeleter {
  void operator()(uint8_t* memory) const { std::free(memory); }
};
using HostBytes = std::unique_ptr<uint8_t[], FreeDeleter>;

// `size` bytes on a cache line, every page touched with `value`.
HostBytes AllocateHost(uint64_t size, uint8_t value) {
  HostBytes bytes(static_cast<uint8_t*>(std::aligned_alloc(kHostAlignment, size)));
  if (bytes != nullptr) std::memset(bytes.get(), value, size);
  return bytes;
}

absl::Status CheckAll(const uint8_t* bytes, uint64_t size, uint8_t value, absl::string_view what) {
  const uint8_t* wrong = std::find_if(bytes, bytes + size, [&](uint8_t b) { return b != value; });
  if (wrong == bytes + size) return absl::OkStatus();
  return absl::InternalError(
      absl::StrCat(what, ": byte ", wrong - bytes, " is ", *wrong, ", expected ", value));
}

absl::Status MeasureHalCopy(benchmark::State& state, Direction direction, uint64_t size) {
  HAL_ASSIGN_OR_RETURN(BenchContext context, OpenBenchContext("cpu", "noop"));
  Queue& queue = *context.queue;
  HAL_ASSIGN_OR_RETURN(const std::shared_ptr<Buffer> buffer, context.device->Allocate(size),
                       "allocating the device buffer");
  HostBytes host = AllocateHost(size, 0x5a);
  if (host == nullptr) return absl::ResourceExhaustedError("cannot allocate the host side");
  // The device side holds 0xa5 for a download; the upload overwrites it.
  HAL_RETURN_IF_ERROR(queue.Fill(*buffer, 0, size, 0xa5a5a5a5));
  const auto copy = [&] {
    return direction == Direction::kHostToDevice
               ? queue.CopyHostToDevice(host.get(), *buffer, 0, size)
               : queue.CopyDeviceToHost(*buffer, 0, host.get(), size);
  };
  HAL_RETURN_IF_ERROR(copy(), "warming up");  // also faults in the device pages
  HAL_RETURN_IF_ERROR(queue.Synchronize(), "warming up");
  for (auto _ : state) {
    HAL_RETURN_IF_ERROR(copy());
    HAL_RETURN_IF_ERROR(queue.Synchronize());
  }
  if (direction == Direction::kDeviceToHost) return CheckAll(host.get(), size, 0xa5, "download");
  HostBytes back = AllocateHost(size, 0);
  if (back == nullptr) return absl::ResourceExhaustedError("cannot allocate the check's memory");
  HAL_RETURN_IF_ERROR(queue.CopyDeviceToHost(*buffer, 0, back.get(), size));
  HAL_RETURN_IF_ERROR(queue.Synchronize());
  return CheckAll(back.get(), size, 0x5a, "upload");
}

unsigned WorkerThreadCount() { return std::max(std::thread::hardware_concurrency(), 1u); }

// Persistent across runs, as the driver's pool is.
HostThreadPool& BaselinePool() {
  static HostThreadPool pool(WorkerThreadCount());
  return pool;
}

absl::Status MeasureMemcpyLoop(benchmark::State& state, uint64_t size) {
  HostBytes source = AllocateHost(size, 0x5a);
  HostBytes destination = AllocateHost(size, 0);
  if (source == nullptr || destination == nullptr) {
    return absl::ResourceExhaustedError("cannot allocate the baseline's memory");
  }
  const uint64_t blocks = (size + kBlockBytes - 1) / kBlockBytes;
  const auto copy = [&](size_t first, size_t end) {
    const uint64_t begin = first * kBlockBytes;
    std::memcpy(destination.get() + begin, source.get() + begin,
                std::min<uint64_t>(end * kBlockBytes, size) - begin);
  };
  BaselinePool().ParallelFor(blocks, copy);  // warm-up, as for hal
  for (auto _ : state) BaselinePool().ParallelFor(blocks, copy);
  return CheckAll(destination.get(), size, 0x5a, "memcpy loop");
}

void Report(benchmark::State& state, const absl::Status& status, uint64_t size) {
  if (!status.ok()) {
    state.SkipWithError(status.ToString().c_str());
    return;
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(size));
}

void RegisterBenchmarks() {
  for (const uint64_t size : kSizes) {
    for (const Direction direction : {Direction::kHostToDevice, Direction::kDeviceToHost}) {
      benchmark::RegisterBenchmark(HalName(direction, size).c_str(),
                                   [direction, size](benchmark::State& state) {
                                     Report(state, MeasureHalCopy(state, direction, size), size);
                                   })
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
    benchmark::RegisterBenchmark(
        LoopName(size).c_str(),
        [size](benchmark::State& state) { Report(state, MeasureMemcpyLoop(state, size), size); })
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
}

std::vector<RatioReporter::Comparison> Comparisons() {
  std::vector<RatioReporter::Comparison> comparisons;
  for (const uint64_t size : kSizes) {
    for (const Direction direction : {Direction::kHostToDevice, Direction::kDeviceToHost}) {
      comparisons.push_back(
          {.measured_function = HalName(direction, size),
           .baseline_function = LoopName(size),
           .description = absl::StrCat(
               SizeName(size),
               direction == Direction::kHostToDevice ? " host->device" : " device->host",
               ", hal CPU driver / memcpy of 1 MiB blocks on ", WorkerThreadCount(), " threads"),
           .informational = true});
    }
  }
  return comparisons;
}

}  // namespace
}  // namespace hal::bench

int main(int argc, char** argv) {
  hal::bench::RegisterBenchmarks();
  hal::bench::RatioReporter reporter(hal::bench::Comparisons());
  return hal::bench::RunBenchmarkMain(argc, argv, &reporter);
}
