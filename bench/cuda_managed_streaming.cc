// The baseline of hal_bench_overcommit on a CUDA device: the same streaming
// with CUDA managed memory oversubscribed the same way. A ballast allocation
// leaves the GPU --capacity_mib of free memory (the pool's cap on the hal
// side); the buffers, --buffer_mib each, hold 1.5x that (cuMemAllocManaged),
// and one step writes one whole buffer with fill_f32 and waits, visiting the
// buffers in turn (the worst order for the driver's page migration, as it is
// for hal's LRU eviction). Every buffer is checked after timing. Runs only
// when --device selects a CUDA device; refuses the fake libcuda.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "bench/cuda_raw.h"
#include "bench/fill_constants.h"
#include "benchmark/benchmark.h"

ABSL_DECLARE_FLAG(std::string, device);
ABSL_DECLARE_FLAG(uint64_t, capacity_mib);
ABSL_DECLARE_FLAG(uint64_t, buffer_mib);

namespace hal::bench {
namespace {

constexpr double kOversubscription = 1.5;

// The managed buffers, and the ballast that leaves `capacity` bytes of the
// GPU free; all freed on destruction.
class ManagedStreaming {
 public:
  static absl::StatusOr<std::unique_ptr<ManagedStreaming>> Open(uint64_t capacity,
                                                                uint64_t buffer_bytes) {
    std::unique_ptr<ManagedStreaming> s(new ManagedStreaming());
    s->buffer_bytes_ = buffer_bytes;
    HAL_ASSIGN_OR_RETURN(const auto uuid, BenchDeviceUuid(absl::GetFlag(FLAGS_device)));
    HAL_ASSIGN_OR_RETURN(s->cuda_, RawCuda::Open(uuid));
    const RawCuda& cuda = *s->cuda_;
    if (cuda.cu().cuMemAllocManaged == nullptr) {
      return absl::UnavailableError("libcuda.so.1 has no cuMemAllocManaged");
    }
    HAL_ASSIGN_OR_RETURN(s->fill_, s->cuda_->LoadStandardKernel("fill_f32"));
    size_t free = 0;
    size_t total = 0;
    HAL_RETURN_IF_ERROR(cuda.Check(cuda.cu().cuMemGetInfo(&free, &total), "cuMemGetInfo"));
    if (free < capacity) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the GPU has ", free >> 20, " MiB free, less than --capacity_mib=", capacity >> 20));
    }
    if (free > capacity) {
      HAL_RETURN_IF_ERROR(
          cuda.Check(cuda.cu().cuMemAlloc(&s->ballast_, free - capacity), "cuMemAlloc (ballast)"));
    }
    const uint64_t count = static_cast<uint64_t>(capacity * kOversubscription) / buffer_bytes;
    for (uint64_t i = 0; i < count; ++i) {
      CUdeviceptr buffer = 0;
      HAL_RETURN_IF_ERROR(
          cuda.Check(cuda.cu().cuMemAllocManaged(&buffer, buffer_bytes, CU_MEM_ATTACH_GLOBAL),
                     "cuMemAllocManaged"));
      s->buffers_.push_back(buffer);
      s->last_value_.push_back(0.0f);
    }
    return s;
  }

  ~ManagedStreaming() {
    if (cuda_ == nullptr) return;
    for (CUdeviceptr buffer : buffers_) cuda_->cu().cuMemFree(buffer);
    if (ballast_ != 0) cuda_->cu().cuMemFree(ballast_);
  }

  size_t buffer_count() const { return buffers_.size(); }

  // Writes every buffer once, in order, waiting after each.
  absl::Status Pass() {
    const uint32_t n = static_cast<uint32_t>(buffer_bytes_ / sizeof(float));
    for (size_t b = 0; b < buffers_.size(); ++b) {
      FillConstants constants{++value_, n};
      void* params[] = {&buffers_[b], &constants};
      HAL_RETURN_IF_ERROR(
          cuda_->Check(cuda_->cu().cuLaunchKernel(fill_, (n + 255) / 256, 1, 1, 256, 1, 1, 0,
                                                  cuda_->stream(), params, nullptr),
                       "cuLaunchKernel(fill_f32)"));
      HAL_RETURN_IF_ERROR(
          cuda_->Check(cuda_->cu().cuStreamSynchronize(cuda_->stream()), "cuStreamSynchronize"));
      last_value_[b] = value_;
    }
    return absl::OkStatus();
  }

  // Every element of every buffer holds its last fill value (read by the host
  // through the managed mapping).
  absl::Status Check() const {
    for (size_t b = 0; b < buffers_.size(); ++b) {
      const float* data = reinterpret_cast<const float*>(buffers_[b]);
      for (uint64_t i = 0; i < buffer_bytes_ / sizeof(float); ++i) {
        if (data[i] != last_value_[b]) {
          return absl::DataLossError(absl::StrCat("managed buffer ", b, " element ", i, " is ",
                                                  data[i], ", expected ", last_value_[b]));
        }
      }
    }
    return absl::OkStatus();
  }

 private:
  ManagedStreaming() = default;

  std::unique_ptr<RawCuda> cuda_;
  CUfunction fill_ = nullptr;
  uint64_t buffer_bytes_ = 0;
  CUdeviceptr ballast_ = 0;
  std::vector<CUdeviceptr> buffers_;
  std::vector<float> last_value_;
  float value_ = 0;
};

absl::Status Measure(benchmark::State& state) {
  if (!absl::StartsWith(absl::GetFlag(FLAGS_device), "cuda")) {
    return absl::FailedPreconditionError("managed memory is the baseline on CUDA (--device=cuda)");
  }
  HAL_ASSIGN_OR_RETURN(auto streaming,
                       ManagedStreaming::Open(absl::GetFlag(FLAGS_capacity_mib) << 20,
                                              absl::GetFlag(FLAGS_buffer_mib) << 20));
  HAL_RETURN_IF_ERROR(streaming->Pass(), "reaching the steady state");
  uint64_t steps = 0;
  for (auto _ : state) {
    HAL_RETURN_IF_ERROR(streaming->Pass());
    steps += streaming->buffer_count();
  }
  HAL_RETURN_IF_ERROR(streaming->Check());
  state.SetBytesProcessed(static_cast<int64_t>(steps * (absl::GetFlag(FLAGS_buffer_mib) << 20)));
  return absl::OkStatus();
}

void BM_ManagedStreaming(benchmark::State& state) {
  if (absl::Status status = Measure(state); !status.ok()) {
    state.SkipWithError(status.ToString().c_str());
  }
}
BENCHMARK(BM_ManagedStreaming)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace hal::bench
