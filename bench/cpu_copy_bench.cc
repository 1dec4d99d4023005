// Host -> device and device -> host copies, and fills, through the CPU
// driver (cpu:0), against a plain memcpy (std::fill_n) of the same 1 MiB
// blocks on the same number of threads, in the same run: the loop a framework
// would otherwise write. At 16 MiB the data fits the last-level cache of most
// servers and the driver stores as the loop does; at 256 MiB it does not, and
// the driver streams its stores (backends/cpu/README.md, "Streaming stores").
// The same loops with streaming stores show, per size, which stores win.
// No target: the ratios show what hal's path costs or gains. Every run checks
// what it wrote.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "backends/common/streaming_stores.h"
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
std::string StreamingLoopName(uint64_t size) {
  return absl::StrCat("BM_StreamingCopyLoop", SizeName(size));
}
std::string FillHalName(uint64_t size) { return absl::StrCat("BM_FillHal", SizeName(size)); }
std::string FillLoopName(uint64_t size) { return absl::StrCat("BM_FillLoop", SizeName(size)); }
std::string StreamingFillLoopName(uint64_t size) {
  return absl::StrCat("BM_StreamingFillLoop", SizeName(size));
}

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

// Each iteration fills with the next pattern; the last one must be there.
uint32_t PatternOf(int64_t iteration) {
  return 0x01010101u * static_cast<uint32_t>(iteration % 251);
}

absl::Status CheckWords(const uint32_t* words, uint64_t count, uint32_t value,
                        absl::string_view what) {
  const uint32_t* wrong =
      std::find_if(words, words + count, [&](uint32_t w) { return w != value; });
  if (wrong == words + count) return absl::OkStatus();
  return absl::InternalError(
      absl::StrCat(what, ": word ", wrong - words, " is ", *wrong, ", expected ", value));
}

absl::Status MeasureHalFill(benchmark::State& state, uint64_t size) {
  HAL_ASSIGN_OR_RETURN(BenchContext context, OpenBenchContext("cpu", "noop"));
  Queue& queue = *context.queue;
  HAL_ASSIGN_OR_RETURN(const std::shared_ptr<Buffer> buffer, context.device->Allocate(size),
                       "allocating the device buffer");
  HAL_RETURN_IF_ERROR(queue.Fill(*buffer, 0, size, PatternOf(0)), "warming up");
  HAL_RETURN_IF_ERROR(queue.Synchronize(), "warming up");
  int64_t iteration = 0;
  for (auto _ : state) {
    HAL_RETURN_IF_ERROR(queue.Fill(*buffer, 0, size, PatternOf(++iteration)));
    HAL_RETURN_IF_ERROR(queue.Synchronize());
  }
  HostBytes back = AllocateHost(size, 0);
  if (back == nullptr) return absl::ResourceExhaustedError("cannot allocate the check's memory");
  HAL_RETURN_IF_ERROR(queue.CopyDeviceToHost(*buffer, 0, back.get(), size));
  HAL_RETURN_IF_ERROR(queue.Synchronize());
  return CheckWords(reinterpret_cast<const uint32_t*>(back.get()), size / 4, PatternOf(iteration),
                    "fill");
}

unsigned WorkerThreadCount() { return std::max(std::thread::hardware_concurrency(), 1u); }

// Persistent across runs, as the driver's pool is.
HostThreadPool& BaselinePool() {
  static HostThreadPool pool(WorkerThreadCount());
  return pool;
}

// The stores a baseline loop writes: plain ones (memcpy, std::fill_n) or
// non-temporal ones (the driver's StreamingCopy, StreamingFill), to show on
// each size which the driver should pick.
enum class Stores { kPlain, kStreaming };

// Calls body(begin, end) on each 1 MiB block of [0, size), the blocks split
// over the baseline pool in contiguous runs, as the driver splits them.
template <typename Body>
void ForEachBlock(uint64_t size, const Body& body) {
  const uint64_t blocks = (size + kBlockBytes - 1) / kBlockBytes;
  BaselinePool().ParallelFor(blocks, [&](size_t first, size_t end) {
    for (size_t block = first; block < end; ++block) {
      body(block * kBlockBytes, std::min<uint64_t>((block + 1) * kBlockBytes, size));
    }
  });
}

absl::Status MeasureCopyLoop(benchmark::State& state, uint64_t size, Stores stores) {
  HostBytes source = AllocateHost(size, 0x5a);
  HostBytes destination = AllocateHost(size, 0);
  if (source == nullptr || destination == nullptr) {
    return absl::ResourceExhaustedError("cannot allocate the baseline's memory");
  }
  const auto copy = [&](uint64_t begin, uint64_t end) {
    if (stores == Stores::kStreaming) {
      driver_support::StreamingCopy(destination.get() + begin, source.get() + begin, end - begin);
    } else {
      std::memcpy(destination.get() + begin, source.get() + begin, end - begin);
    }
  };
  ForEachBlock(size, copy);  // warm-up, as for hal
  for (auto _ : state) ForEachBlock(size, copy);
  return CheckAll(destination.get(), size, 0x5a, "copy loop");
}

absl::Status MeasureFillLoop(benchmark::State& state, uint64_t size, Stores stores) {
  HostBytes destination = AllocateHost(size, 0);
  if (destination == nullptr) return absl::ResourceExhaustedError("cannot allocate the baseline's");
  auto* words = reinterpret_cast<uint32_t*>(destination.get());
  uint32_t pattern = PatternOf(0);
  const auto fill = [&](uint64_t begin, uint64_t end) {
    if (stores == Stores::kStreaming) {
      driver_support::StreamingFill(words + begin / 4, (end - begin) / 4, pattern);
    } else {
      std::fill_n(words + begin / 4, (end - begin) / 4, pattern);
    }
  };
  ForEachBlock(size, fill);  // warm-up, as for hal
  int64_t iteration = 0;
  for (auto _ : state) {
    pattern = PatternOf(++iteration);
    ForEachBlock(size, fill);
  }
  return CheckWords(words, size / 4, PatternOf(iteration), "fill loop");
}

void Report(benchmark::State& state, const absl::Status& status, uint64_t size) {
  if (!status.ok()) {
    state.SkipWithError(status.ToString().c_str());
    return;
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(size));
}

// Registers `measure` as `name`, reporting `size` bytes per iteration.
void Register(const std::string& name, std::function<absl::Status(benchmark::State&)> measure,
              uint64_t size) {
  benchmark::RegisterBenchmark(name.c_str(),
                               [measure = std::move(measure), size](benchmark::State& state) {
                                 Report(state, measure(state), size);
                               })
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
}

void RegisterBenchmarks() {
  using std::placeholders::_1;
  for (const uint64_t size : kSizes) {
    for (const Direction direction : {Direction::kHostToDevice, Direction::kDeviceToHost}) {
      Register(HalName(direction, size), std::bind(MeasureHalCopy, _1, direction, size), size);
    }
    Register(LoopName(size), std::bind(MeasureCopyLoop, _1, size, Stores::kPlain), size);
    Register(StreamingLoopName(size), std::bind(MeasureCopyLoop, _1, size, Stores::kStreaming),
             size);
    Register(FillHalName(size), std::bind(MeasureHalFill, _1, size), size);
    Register(FillLoopName(size), std::bind(MeasureFillLoop, _1, size, Stores::kPlain), size);
    Register(StreamingFillLoopName(size),
             std::bind(MeasureFillLoop, _1, size, Stores::kStreaming), size);
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
    comparisons.push_back(
        {.measured_function = FillHalName(size),
         .baseline_function = FillLoopName(size),
         .description =
             absl::StrCat(SizeName(size), " fill, hal CPU driver / std::fill_n of 1 MiB blocks on ",
                          WorkerThreadCount(), " threads"),
         .informational = true});
    // Which stores the driver should write at this size.
    comparisons.push_back({.measured_function = StreamingLoopName(size),
                           .baseline_function = LoopName(size),
                           .description = absl::StrCat(SizeName(size),
                                                       " copy loop, streaming stores / memcpy"),
                           .informational = true});
    comparisons.push_back({.measured_function = StreamingFillLoopName(size),
                           .baseline_function = FillLoopName(size),
                           .description = absl::StrCat(SizeName(size),
                                                       " fill loop, streaming stores / std::fill_n"),
                           .informational = true});
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
