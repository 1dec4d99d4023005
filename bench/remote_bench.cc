// What the remote driver costs (issue 12): the same work on a virtual device
// in this process ("local") and on that virtual device served by hald through
// the remote driver, in one run. The bench starts hald of the build tree on a
// temporary Unix socket and a TCP loopback port (tests/remote's launcher),
// serving one virtual device of a pool of --device (default cpu; vulkan for
// lavapipe); the local baseline makes the same virtual device in-process from
// the same pool file, so the difference is the remoting alone.
//
// Figures and targets:
// - noop dispatch + Synchronize: the Unix-socket round trip adds at most 15 us
//   to the local one (median_us_per_dispatch);
// - 1024 noop dispatches per Synchronize: remote throughput at least 0.5x
//   local (one-way commands batched, no round trip per dispatch);
// - 256 MiB host->device and device->host copies (Queue::CopyHostToDevice,
//   CopyDeviceToHost), with the host side in either of two kinds of memory:
//   - pageable memory of this process (BM_HostToDevice*, BM_DeviceToHost*):
//     over a Unix socket it goes through the session's shared memory (two
//     copies: the tenant's and hald's device's), or with
//     HAL_REMOTE_CROSS_MEMORY=on hald copies straight to and from it
//     (cross-memory attach, where hald may), or where hald's device memory
//     is host memory (a CPU device: cpu, lavapipe) the device buffer is a
//     memfd both map and the tenant copies into it itself (protocol 1.6);
//     over TCP loopback the bytes
//     travel inline in the frames; BM_HostToDeviceTwoCopyBound is the
//     shared-memory path without hald, the machine's bound for it (no
//     target: shown against local and against the Unix-socket figure);
//   - the mapping of a host-staging buffer (BM_*Staging*), the pinned memory
//     frameworks copy through: the remote driver shares it with hald, whose
//     device copies it in place.
//   Targets: over a Unix socket at least 0.8x local; over TCP at least
//   1 GB/s. The bench says which pageable Unix-socket path ran, from hald's
//   log.
// Copies check their data after timing, so a fast but wrong run reports an
// error instead of a figure.
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "backends/remote/remote_config.h"
#include "bench/bench_context.h"
#include "bench/bench_main.h"
#include "bench/iteration_latency.h"
#include "bench/remote_target_reporter.h"
#include "benchmark/benchmark.h"
#include "hal/hal.h"
#include "hal/status_macros.h"
#include "tests/remote/hald_process.h"
#include "tests/remote/remote_pool.h"

ABSL_FLAG(std::string, device, "cpu",
          "Selector of the device behind hald and the local baseline (cpu, vulkan, cuda).");
ABSL_FLAG(bool, host_huge_pages, false,
          "Copies' host memory advised MADV_HUGEPAGE (transparent huge pages), for every path: "
          "hald's process_vm_readv/writev pins the tenant's pages one by one, and 4 KiB pages "
          "cost it more than a memcpy.");
ABSL_FLAG(std::string, hald, HAL_BENCH_HALD_PATH,
          "The hald program to start (default: the build tree's; tools/gpu-run.sh passes the "
          "installed one).");

namespace hal::bench {
namespace {

constexpr uint64_t kCopyBytes = 256ull << 20;
constexpr int64_t kPipelinedDispatches = 1024;
constexpr char kVirtualDevice[] = "bench";

// Where the work runs: in this process, or behind hald over either socket.
enum class Path { kLocal, kUnix, kTcp };

// hald, started on first use (after the flags are parsed) and stopped by
// main(). Its pool file is also the local baseline's.
std::unique_ptr<testing::HaldProcess>& Daemon() {
  static std::unique_ptr<testing::HaldProcess> hald;
  return hald;
}

absl::StatusOr<testing::HaldProcess*> StartedDaemon() {
  std::unique_ptr<testing::HaldProcess>& hald = Daemon();
  if (hald != nullptr) return hald.get();
  testing::HaldProcess::Options options;
  options.hald = absl::GetFlag(FLAGS_hald);
  // Room for a 256 MiB buffer and the copies' working memory.
  options.pool_json =
      testing::RemotePoolJson({absl::GetFlag(FLAGS_device)}, {{kVirtualDevice, 1ull << 30, 1.0}});
  options.listen_tcp = true;
  HAL_ASSIGN_OR_RETURN(hald, testing::HaldProcess::Start(options), "starting hald");
  return hald.get();
}

// A device and queue of one path, with the standard bundle's noop kernel.
// Members are declared so that destruction releases the kernel and queue
// before the device, the pool after it, and the runtime last.
struct Target {
  std::unique_ptr<Runtime> runtime;
  std::unique_ptr<Pool> pool;  // local only
  std::shared_ptr<Device> device;
  std::unique_ptr<Queue> queue;
  std::shared_ptr<Kernel> kernel;
};

absl::StatusOr<Target> Open(Path path) {
  HAL_ASSIGN_OR_RETURN(testing::HaldProcess * hald, StartedDaemon());
  // The remote driver reads its endpoint when the runtime loads it.
  const std::string endpoint = path == Path::kLocal  ? std::string("none")
                               : path == Path::kUnix ? hald->unix_endpoint()
                                                     : hald->tcp_endpoint();
  setenv("HAL_REMOTE_ENDPOINT", endpoint.c_str(), 1);
  setenv("HAL_REMOTE_TOKEN", testing::kRemoteTestToken, 1);
  Target target;
  if (path == Path::kLocal) {
    RuntimeOptions options;
    options.selector = absl::GetFlag(FLAGS_device);
    HAL_ASSIGN_OR_RETURN(target.runtime, Runtime::Create(options), "creating the runtime");
    HAL_ASSIGN_OR_RETURN(target.pool, Pool::FromFile(*target.runtime, hald->pool_path()));
    target.device = target.pool->virtual_devices().front()->device();
  } else {
    // remote:0, the first (only) virtual device hald serves.
    HAL_ASSIGN_OR_RETURN(SelectedDevice selected, SelectDevice("remote"));
    target.runtime = std::move(selected.runtime);
    HAL_ASSIGN_OR_RETURN(target.device, selected.device->Open(), "opening ", selected.device->id());
  }
  HAL_ASSIGN_OR_RETURN(target.queue, target.device->CreateQueue());
  HAL_ASSIGN_OR_RETURN(const KernelBundle bundle, KernelBundle::ReadFile(StandardBundlePath()));
  HAL_ASSIGN_OR_RETURN(target.kernel, target.device->LoadKernel(bundle, "noop"));
  return target;
}

void ReportIfFailed(benchmark::State& state, const absl::Status& status) {
  if (!status.ok()) state.SkipWithError(status.ToString().c_str());
}

// `dispatches` noop dispatches per Synchronize, each iteration timed alone.
absl::Status MeasureDispatches(benchmark::State& state, Path path, int64_t dispatches) {
  HAL_ASSIGN_OR_RETURN(Target target, Open(path));
  Queue& queue = *target.queue;
  const Kernel& noop = *target.kernel;
  const auto batch = [&]() -> absl::Status {
    for (int64_t i = 0; i < dispatches; ++i) {
      HAL_RETURN_IF_ERROR(queue.Dispatch(noop, GridSize{1, 1, 1}, {}));
    }
    return queue.Synchronize();
  };
  HAL_RETURN_IF_ERROR(batch(), "warming up");
  IterationLatency latency(state);
  for (auto _ : state) HAL_RETURN_IF_ERROR(latency.Time(batch));
  latency.SetDispatchCounters(state, dispatches);
  return absl::OkStatus();
}

// Where a copy's host bytes live: plain (pageable) memory of this process,
// or the mapping of a host-staging buffer of the device (pinned memory, which
// the remote driver shares with hald, so hald's device copies it in place).
enum class HostMemory { kPageable, kStaging };

// kCopyBytes of host memory of either kind, released with it.
class HostWords {
 public:
  // `device` serves staging memory only.
  static absl::StatusOr<HostWords> Make(HostMemory kind, Device* device) {
    if (kind == HostMemory::kPageable) return HostWords(MappedWords());
    HAL_ASSIGN_OR_RETURN(std::shared_ptr<Buffer> staging,
                         device->Allocate(kCopyBytes, BufferKind::kHostStaging));
    HAL_ASSIGN_OR_RETURN(void* mapped, staging->Map());
    return HostWords(std::move(staging), static_cast<uint32_t*>(mapped));
  }
  uint32_t* get() const { return words_; }

 private:
  struct Unmap {
    void operator()(uint32_t* words) const { munmap(words, kCopyBytes); }
  };
  using Owned = std::unique_ptr<uint32_t[], Unmap>;
  explicit HostWords(Owned pageable) : pageable_(std::move(pageable)), words_(pageable_.get()) {}
  HostWords(std::shared_ptr<Buffer> staging, uint32_t* words)
      : staging_(std::move(staging)), words_(words) {}

  // With --host_huge_pages an anonymous mapping advised MADV_HUGEPAGE before
  // the first touch.
  static Owned MappedWords() {
    void* memory =
        mmap(nullptr, kCopyBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
      std::cerr << "mmap of " << kCopyBytes << " bytes failed\n";
      std::abort();
    }
    if (absl::GetFlag(FLAGS_host_huge_pages)) madvise(memory, kCopyBytes, MADV_HUGEPAGE);
    return Owned(static_cast<uint32_t*>(memory));
  }

  Owned pageable_;
  std::shared_ptr<Buffer> staging_;
  uint32_t* words_;
};

// The host side of a copy: a source and a destination of kCopyBytes, every
// page touched before timing; words differ for any two offsets a chunk could
// be misplaced by.
class CopyData {
 public:
  static absl::StatusOr<CopyData> Make(HostMemory kind, Device* device) {
    HAL_ASSIGN_OR_RETURN(HostWords source, HostWords::Make(kind, device));
    HAL_ASSIGN_OR_RETURN(HostWords destination, HostWords::Make(kind, device));
    return CopyData(std::move(source), std::move(destination));
  }
  const void* source() const { return source_.get(); }
  void* destination() { return destination_.get(); }
  void ClearDestination() { std::fill(destination_.get(), destination_.get() + kWords, 0u); }

  absl::Status Check() const {
    const auto mismatch = std::mismatch(source_.get(), source_.get() + kWords, destination_.get());
    if (mismatch.first == source_.get() + kWords) return absl::OkStatus();
    return absl::InternalError(
        absl::StrCat("copied data is wrong from byte ", (mismatch.first - source_.get()) * 4));
  }

 private:
  static constexpr size_t kWords = kCopyBytes / sizeof(uint32_t);
  CopyData(HostWords source, HostWords destination)
      : source_(std::move(source)), destination_(std::move(destination)) {
    for (size_t i = 0; i < kWords; ++i) source_.get()[i] = static_cast<uint32_t>(i * 2654435761u);
    ClearDestination();
  }
  HostWords source_;
  HostWords destination_;
};

enum class Direction { kHostToDevice, kDeviceToHost };

// kCopyBytes in one direction per iteration, then Synchronize. The other
// direction moves the data once before (device->host) or after
// (host->device) the timed loop, so the check covers what was timed.
absl::Status MeasureCopies(benchmark::State& state, Path path, Direction direction,
                           HostMemory host) {
  HAL_ASSIGN_OR_RETURN(Target target, Open(path));
  Queue& queue = *target.queue;
  HAL_ASSIGN_OR_RETURN(const std::shared_ptr<Buffer> buffer, target.device->Allocate(kCopyBytes));
  HAL_ASSIGN_OR_RETURN(CopyData data, CopyData::Make(host, target.device.get()));
  const std::function<absl::Status()> upload = [&] {
    HAL_RETURN_IF_ERROR(queue.CopyHostToDevice(data.source(), *buffer, 0, kCopyBytes));
    return queue.Synchronize();
  };
  const std::function<absl::Status()> download = [&] {
    HAL_RETURN_IF_ERROR(queue.CopyDeviceToHost(*buffer, 0, data.destination(), kCopyBytes));
    return queue.Synchronize();
  };
  const bool uploads = direction == Direction::kHostToDevice;
  const auto& timed = uploads ? upload : download;
  HAL_RETURN_IF_ERROR(timed(), "warming up");
  if (uploads) {
    HAL_RETURN_IF_ERROR(queue.Fill(*buffer, 0, kCopyBytes, 0));
  } else {
    HAL_RETURN_IF_ERROR(upload());
    data.ClearDestination();
  }
  for (auto _ : state) HAL_RETURN_IF_ERROR(timed());
  if (uploads) HAL_RETURN_IF_ERROR(download());
  HAL_RETURN_IF_ERROR(data.Check());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kCopyBytes));
  return absl::OkStatus();
}

// The shared-memory path's bound on this machine: the same 256 MiB pageable
// upload as two copies through a ring of the remote driver's default size in
// its chunks (remote::SharedMemoryChunkBytes), one thread
// copying in and another out, handing chunks over through atomics, in one
// process: no socket, no hald, no device. What the Unix-socket figure loses
// against this is the protocol's; what this loses against the local copy is
// the machine's (the second copy, the ring's trips between the cores).
absl::Status MeasureTwoCopyBound(benchmark::State& state) {
  constexpr uint64_t kRingBytes = remote::kDefaultSharedMemoryBytes;
  constexpr uint64_t kChunkBytes = remote::SharedMemoryChunkBytes(kRingBytes);
  constexpr uint64_t kSlots = kRingBytes / kChunkBytes;
  constexpr uint64_t kChunks = kCopyBytes / kChunkBytes;
  static_assert(kCopyBytes % kChunkBytes == 0, "whole chunks");
  HAL_ASSIGN_OR_RETURN(CopyData data, CopyData::Make(HostMemory::kPageable, nullptr));
  std::vector<uint8_t> ring(kRingBytes, 0);
  const auto* source = static_cast<const uint8_t*>(data.source());
  auto* destination = static_cast<uint8_t*>(data.destination());
  const auto copy_through_ring = [&] {
    std::atomic<uint64_t> filled{0}, emptied{0};
    std::thread out([&] {
      for (uint64_t chunk = 0; chunk < kChunks; ++chunk) {
        while (filled.load(std::memory_order_acquire) <= chunk) std::this_thread::yield();
        std::memcpy(destination + chunk * kChunkBytes, ring.data() + chunk % kSlots * kChunkBytes,
                    kChunkBytes);
        emptied.store(chunk + 1, std::memory_order_release);
      }
    });
    for (uint64_t chunk = 0; chunk < kChunks; ++chunk) {
      while (chunk >= emptied.load(std::memory_order_acquire) + kSlots) std::this_thread::yield();
      std::memcpy(ring.data() + chunk % kSlots * kChunkBytes, source + chunk * kChunkBytes,
                  kChunkBytes);
      filled.store(chunk + 1, std::memory_order_release);
    }
    out.join();
  };
  copy_through_ring();  // warming up
  for (auto _ : state) copy_through_ring();
  HAL_RETURN_IF_ERROR(data.Check());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kCopyBytes));
  return absl::OkStatus();
}

const char* PathName(Path path) {
  return path == Path::kLocal ? "Local" : path == Path::kUnix ? "Unix" : "Tcp";
}

void RegisterBenchmarks() {
  for (const Path path : {Path::kLocal, Path::kUnix}) {
    benchmark::RegisterBenchmark(absl::StrCat("BM_RoundTrip", PathName(path)).c_str(),
                                 [path](benchmark::State& state) {
                                   ReportIfFailed(state, MeasureDispatches(state, path, 1));
                                 })
        ->UseRealTime();
    benchmark::RegisterBenchmark(absl::StrCat("BM_Pipelined", PathName(path)).c_str(),
                                 [path](benchmark::State& state) {
                                   ReportIfFailed(
                                       state, MeasureDispatches(state, path, kPipelinedDispatches));
                                 })
        ->UseRealTime();
  }
  benchmark::RegisterBenchmark(
      "BM_HostToDeviceTwoCopyBound",
      [](benchmark::State& state) { ReportIfFailed(state, MeasureTwoCopyBound(state)); })
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  // Staging copies over TCP would be the inline path again: not measured.
  for (const HostMemory host : {HostMemory::kPageable, HostMemory::kStaging}) {
    for (const Path path : {Path::kLocal, Path::kUnix, Path::kTcp}) {
      if (host == HostMemory::kStaging && path == Path::kTcp) continue;
      for (const Direction direction : {Direction::kHostToDevice, Direction::kDeviceToHost}) {
        const char* name = direction == Direction::kHostToDevice ? "HostToDevice" : "DeviceToHost";
        benchmark::RegisterBenchmark(
            absl::StrCat("BM_", name, host == HostMemory::kStaging ? "Staging" : "", PathName(path))
                .c_str(),
            [path, direction, host](benchmark::State& state) {
              ReportIfFailed(state, MeasureCopies(state, path, direction, host));
            })
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
      }
    }
  }
}

// `memory` names the host side's kind in the function names ("" or "Staging").
RatioReporter::Comparison CopyRatio(const std::string& direction, const std::string& memory,
                                    const std::string& what) {
  return {.measured_function = "BM_" + direction + memory + "Unix",
          .baseline_function = "BM_" + direction + memory + "Local",
          .description = "256 MiB " + what + " throughput, remote (Unix socket) / local",
          .target_ratio = 0.8};
}

RemoteTargetReporter::Floor TcpFloor(const std::string& direction, const std::string& what) {
  return {.function = "BM_" + direction + "Tcp",
          .description = "256 MiB " + what + " throughput, remote over TCP loopback",
          .min_value = 1.0};
}

}  // namespace
}  // namespace hal::bench

int main(int argc, char** argv) {
  using hal::bench::RemoteTargetReporter;
  hal::bench::RegisterBenchmarks();
  RemoteTargetReporter reporter(
      {{.measured_function = "BM_PipelinedUnix",
        .baseline_function = "BM_PipelinedLocal",
        .description = "1024 noop dispatches per Synchronize, throughput remote / local",
        .counter = "items_per_second",
        .display_scale = 1e-3,
        .display_unit = "k dispatches/s",
        .target_ratio = 0.5},
       hal::bench::CopyRatio("HostToDevice", "", "pageable host->device"),
       hal::bench::CopyRatio("DeviceToHost", "", "device->pageable host"),
       hal::bench::CopyRatio("HostToDevice", "Staging", "host-staging->device"),
       hal::bench::CopyRatio("DeviceToHost", "Staging", "device->host-staging"),
       {.measured_function = "BM_HostToDeviceTwoCopyBound",
        .baseline_function = "BM_HostToDeviceLocal",
        .description = absl::StrCat("256 MiB pageable host->device as two copies through a ",
                                    hal::remote::kDefaultSharedMemoryBytes >> 20,
                                    " MiB ring in one process (the shared-memory path's bound "
                                    "here) / local"),
        .informational = true},
       {.measured_function = "BM_HostToDeviceUnix",
        .baseline_function = "BM_HostToDeviceTwoCopyBound",
        .description = "256 MiB pageable host->device, remote (Unix socket) / that bound",
        .informational = true}},
      {{.measured_function = "BM_RoundTripUnix",
        .baseline_function = "BM_RoundTripLocal",
        .description = "noop dispatch + Synchronize, median time the remote driver adds",
        .counter = "median_us_per_dispatch",
        .display_unit = "us",
        .max_difference = 15}},
      {hal::bench::TcpFloor("HostToDevice", "host->device"),
       hal::bench::TcpFloor("DeviceToHost", "device->host")});
  const int result = hal::bench::RunBenchmarkMain(argc, argv, &reporter);
  if (std::unique_ptr<hal::testing::HaldProcess>& hald = hal::bench::Daemon(); hald != nullptr) {
    // hald logs a session's cross-memory attach when it succeeds, and its
    // first device buffer whose memory the tenant shares.
    const std::string log = hald->log();
    std::cout << "Unix-socket copies went through "
              << (absl::StrContains(log, "copies through cross-memory attach")
                      ? "cross-memory attach (one copy, by hald)"
                  : absl::StrContains(log, "shares device buffers' memory with its tenant")
                      ? "device buffers shared with the tenant (one copy, by the tenant)"
                      : "shared memory (two copies)")
              << "\n";
    if (const absl::Status stopped = hald->StopCleanly(); !stopped.ok()) {
      std::cerr << "hald did not stop cleanly: " << stopped << "\n";
      return 1;
    }
  }
  return result;
}
