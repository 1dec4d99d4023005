// A hal context: a device's primary context, or a green context of some of
// its SMs when the context asks for a partition. It owns the caching
// allocator of its device memory and the clock of its event timestamps.
#ifndef HAL_BACKENDS_CUDA_CUDA_CONTEXT_H_
#define HAL_BACKENDS_CUDA_CUDA_CONTEXT_H_

#include <cuda.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "backends/cuda/cuda_errors.h"
#include "backends/cuda/cuda_state.h"
#include "backends/gpu_core/caching_allocator.h"
#include "backends/gpu_core/driver_error.h"
#include "backends/gpu_core/event_clock.h"
#include "backends/gpu_core/gpu_objects.h"
#include "hal/driver/hal_driver.h"

namespace hal::cuda {

struct Context;

// cuMemAlloc/cuMemFree under the caching allocator.
class DeviceMemory : public gpu::BlockProvider {
 public:
  explicit DeviceMemory(Context& context) : context_(context) {}
  hal_result AllocateBlock(uint64_t size, uint64_t* out_address) override;
  void FreeBlock(uint64_t address, uint64_t size) override;

 private:
  Context& context_;
};

// Anchor events on the context's own stream, for its EventClock.
class ContextAnchors : public gpu::AnchorSource {
 public:
  explicit ContextAnchors(Context& context) : context_(context) {}
  hal_result RecordAnchor(uint64_t* out_event) override;
  void DestroyAnchor(uint64_t event) override;
  hal_result ElapsedMs(uint64_t from, uint64_t to, float* out_ms) override;

 private:
  Context& context_;
};

struct Context {
  explicit Context(Device& owner) : device(owner) {}
  ~Context();

  Device& device;
  CUcontext context = nullptr;
  CUgreenCtx green = nullptr;    // when partitioned
  std::vector<uint32_t> groups;  // the partition ledger's groups it holds
  uint32_t units = 0;            // SMs it runs on
  gpu::ContextHealth health;
  DeviceMemory memory{*this};
  std::unique_ptr<gpu::CachingAllocator> allocator;
  CUstream anchor_stream = nullptr;
  ContextAnchors anchors{*this};
  std::unique_ptr<gpu::EventClock> clock;
};

hal_result CreateContext(Device& device, const hal_context_desc& desc,
                         std::unique_ptr<Context>* out_context);

// A stream of the context (of its green context when it has one).
hal_result CreateStream(Context& context, int priority, CUstream* out_stream);

// Makes `context` current on the calling thread for the scope.
class ScopedCurrent {
 public:
  explicit ScopedCurrent(Context& context);
  ~ScopedCurrent();
  ScopedCurrent(const ScopedCurrent&) = delete;
  ScopedCurrent& operator=(const ScopedCurrent&) = delete;
  hal_result result() const { return result_; }

 private:
  hal_result result_;
};

// Runs `call` with `context` current, after failing fast when the context is
// lost, and turns exceptions into results.
template <typename Call>
hal_result InContext(Context& context, const Call& call) noexcept {
  return gpu::Guarded([&] {
    if (const hal_result lost = context.health.Check(); lost != HAL_SUCCESS) return lost;
    ScopedCurrent current(context);
    if (current.result() != HAL_SUCCESS) return current.result();
    return call();
  });
}

}  // namespace hal::cuda

#endif  // HAL_BACKENDS_CUDA_CUDA_CONTEXT_H_
