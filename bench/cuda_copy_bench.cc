// Copies of 1 GiB through hal's CUDA driver against the CUDA driver API called
// directly, in the same run on the same GPU: host -> device and device -> host
// between pinned host memory (hal: a host-staging buffer; raw: cuMemAllocHost)
// and device memory, and device -> device. One copy and a wait per iteration.
// Target: hal's bandwidth at least 0.95x raw in each direction. After timing,
// each side sends a pattern host -> device -> device -> host and checks it, so
// a fast but wrong run reports an error instead of a figure. Refuses the fake
// libcuda.
#include <cstdint>
#include <cstring>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bench/bench_main.h"
#include "bench/cuda_raw.h"
#include "bench/ratio_reporter.h"
#include "benchmark/benchmark.h"
#include "hal/hal.h"

namespace hal::bench {
namespace {

constexpr uint64_t kCopyBytes = 1ull << 30;

enum class Direction { kHostToDevice, kDeviceToHost, kDeviceToDevice };

// Two host memories (the source and the destination of the check) and two
// device ones, and how to copy between them and wait.
class CopySide {
 public:
  virtual ~CopySide() = default;
  virtual std::byte* host(int i) = 0;
  virtual absl::Status HostToDevice(int host, int device) = 0;
  virtual absl::Status DeviceToHost(int device, int host) = 0;
  virtual absl::Status DeviceToDevice(int from, int to) = 0;
  virtual absl::Status Wait() = 0;

  absl::Status Copy(Direction direction) {
    switch (direction) {
      case Direction::kHostToDevice:
        HAL_RETURN_IF_ERROR(HostToDevice(0, 0));
        break;
      case Direction::kDeviceToHost:
        HAL_RETURN_IF_ERROR(DeviceToHost(0, 1));
        break;
      case Direction::kDeviceToDevice:
        HAL_RETURN_IF_ERROR(DeviceToDevice(0, 1));
        break;
    }
    return Wait();
  }

  // Host 0 -> device 0 -> device 1 -> host 1, which must then equal host 0.
  absl::Status Check() {
    const uint64_t words = kCopyBytes / sizeof(uint32_t);
    auto* source = reinterpret_cast<uint32_t*>(host(0));
    for (uint64_t i = 0; i < words; ++i) source[i] = static_cast<uint32_t>(i * 2654435761u);
    std::memset(host(1), 0, kCopyBytes);
    HAL_RETURN_IF_ERROR(HostToDevice(0, 0));
    HAL_RETURN_IF_ERROR(DeviceToDevice(0, 1));
    HAL_RETURN_IF_ERROR(DeviceToHost(1, 1));
    HAL_RETURN_IF_ERROR(Wait());
    if (std::memcmp(host(0), host(1), kCopyBytes) != 0) {
      return absl::DataLossError("the data copied host -> device -> device -> host is wrong");
    }
    return absl::OkStatus();
  }
};

class HalCopies : public CopySide {
 public:
  static absl::StatusOr<std::unique_ptr<HalCopies>> Open() {
    std::unique_ptr<HalCopies> side(new HalCopies());
    HAL_ASSIGN_OR_RETURN(side->context_, OpenCudaBenchContext("noop"));
    Device& device = *side->context_.device;
    for (int i = 0; i < 2; ++i) {
      HAL_ASSIGN_OR_RETURN(side->host_[i], device.Allocate(kCopyBytes, BufferKind::kHostStaging),
                           "allocating pinned host memory");
      HAL_ASSIGN_OR_RETURN(void* mapped, side->host_[i]->Map());
      side->mapped_[i] = static_cast<std::byte*>(mapped);
      HAL_ASSIGN_OR_RETURN(side->device_[i], device.Allocate(kCopyBytes),
                           "allocating device memory");
    }
    return side;
  }

  std::byte* host(int i) override { return mapped_[i]; }
  absl::Status HostToDevice(int host, int device) override {
    return queue().CopyBuffer(*host_[host], 0, *device_[device], 0, kCopyBytes);
  }
  absl::Status DeviceToHost(int device, int host) override {
    return queue().CopyBuffer(*device_[device], 0, *host_[host], 0, kCopyBytes);
  }
  absl::Status DeviceToDevice(int from, int to) override {
    return queue().CopyBuffer(*device_[from], 0, *device_[to], 0, kCopyBytes);
  }
  absl::Status Wait() override { return queue().Synchronize(); }

 private:
  HalCopies() = default;
  Queue& queue() { return *context_.queue; }

  BenchContext context_;
  std::shared_ptr<Buffer> host_[2];
  std::byte* mapped_[2] = {};
  std::shared_ptr<Buffer> device_[2];
};

class RawCopies : public CopySide {
 public:
  static absl::StatusOr<std::unique_ptr<RawCopies>> Open() {
    std::unique_ptr<RawCopies> side(new RawCopies());
    HAL_ASSIGN_OR_RETURN(side->cuda_, RawCuda::OpenBenchDevice());
    const RawCuda& cuda = *side->cuda_;
    for (int i = 0; i < 2; ++i) {
      void* host = nullptr;
      HAL_RETURN_IF_ERROR(
          cuda.Check(cuda.cu().cuMemAllocHost(&host, kCopyBytes), "cuMemAllocHost"));
      side->host_[i] = static_cast<std::byte*>(host);
      HAL_RETURN_IF_ERROR(
          cuda.Check(cuda.cu().cuMemAlloc(&side->device_[i], kCopyBytes), "cuMemAlloc"));
    }
    return side;
  }

  ~RawCopies() override {
    if (cuda_ == nullptr) return;
    for (int i = 0; i < 2; ++i) {
      if (host_[i] != nullptr) cuda_->cu().cuMemFreeHost(host_[i]);
      if (device_[i] != 0) cuda_->cu().cuMemFree(device_[i]);
    }
  }

  std::byte* host(int i) override { return host_[i]; }
  absl::Status HostToDevice(int host, int device) override {
    return cuda_->Check(
        cuda_->cu().cuMemcpyHtoDAsync(device_[device], host_[host], kCopyBytes, cuda_->stream()),
        "cuMemcpyHtoDAsync");
  }
  absl::Status DeviceToHost(int device, int host) override {
    return cuda_->Check(
        cuda_->cu().cuMemcpyDtoHAsync(host_[host], device_[device], kCopyBytes, cuda_->stream()),
        "cuMemcpyDtoHAsync");
  }
  absl::Status DeviceToDevice(int from, int to) override {
    return cuda_->Check(
        cuda_->cu().cuMemcpyDtoDAsync(device_[to], device_[from], kCopyBytes, cuda_->stream()),
        "cuMemcpyDtoDAsync");
  }
  absl::Status Wait() override {
    return cuda_->Check(cuda_->cu().cuStreamSynchronize(cuda_->stream()), "cuStreamSynchronize");
  }

 private:
  RawCopies() = default;

  std::unique_ptr<RawCuda> cuda_;
  std::byte* host_[2] = {};
  CUdeviceptr device_[2] = {};
};

// One warm-up copy, the timed copies, then the data check.
absl::Status Measure(benchmark::State& state, CopySide& side, Direction direction) {
  HAL_RETURN_IF_ERROR(side.Copy(direction), "warming up");
  for (auto _ : state) HAL_RETURN_IF_ERROR(side.Copy(direction));
  HAL_RETURN_IF_ERROR(side.Check());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kCopyBytes));
  return absl::OkStatus();
}

template <typename Side>
void MeasureOrSkip(benchmark::State& state, Direction direction) {
  auto side = Side::Open();
  absl::Status status = side.ok() ? Measure(state, **side, direction) : side.status();
  if (!status.ok()) state.SkipWithError(status.ToString().c_str());
}

// One harness per side and direction, named as the summary lines expect.
#define HAL_BENCH_CUDA_COPY(direction)                                              \
  void BM_Cuda##direction##Hal(benchmark::State& state) {                           \
    MeasureOrSkip<HalCopies>(state, Direction::k##direction);                       \
  }                                                                                 \
  BENCHMARK(BM_Cuda##direction##Hal)->UseRealTime()->Unit(benchmark::kMillisecond); \
  void BM_Cuda##direction##Raw(benchmark::State& state) {                           \
    MeasureOrSkip<RawCopies>(state, Direction::k##direction);                       \
  }                                                                                 \
  BENCHMARK(BM_Cuda##direction##Raw)->UseRealTime()->Unit(benchmark::kMillisecond);
HAL_BENCH_CUDA_COPY(HostToDevice)
HAL_BENCH_CUDA_COPY(DeviceToHost)
HAL_BENCH_CUDA_COPY(DeviceToDevice)
#undef HAL_BENCH_CUDA_COPY

RatioReporter::Comparison Bandwidth(const std::string& direction, const std::string& what) {
  return {.measured_function = absl::StrCat("BM_Cuda", direction, "Hal"),
          .baseline_function = absl::StrCat("BM_Cuda", direction, "Raw"),
          .description = absl::StrCat("1 GiB ", what, ", hal CUDA driver / raw CUDA"),
          .target_ratio = 0.95};
}

}  // namespace
}  // namespace hal::bench

int main(int argc, char** argv) {
  using hal::bench::Bandwidth;
  hal::bench::RatioReporter reporter({
      Bandwidth("HostToDevice", "pinned host -> device"),
      Bandwidth("DeviceToHost", "device -> pinned host"),
      Bandwidth("DeviceToDevice", "device -> device"),
  });
  return hal::bench::RunBenchmarkMain(argc, argv, &reporter);
}
