// The driver objects behind the ABI's opaque handles, as every GPU driver
// keeps them. Vendor handles (CUstream, hipStream_t, CUdeviceptr, ...) are
// pointers or 64-bit integers, stored here widened to uint64_t. `Context` is
// the vendor driver's own context type, which holds a ContextHealth.
#ifndef HAL_BACKENDS_GPU_CORE_GPU_OBJECTS_H_
#define HAL_BACKENDS_GPU_CORE_GPU_OBJECTS_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "backends/gpu_core/caching_allocator.h"
#include "hal/driver/hal_driver.h"

namespace hal::gpu {

// Whether a context met a sticky vendor error (an illegal address, a
// hardware exception): from then on every call on it fails fast with
// HAL_ERROR_UNAVAILABLE naming that first error. Other contexts carry on.
class ContextHealth {
 public:
  bool lost() const { return lost_.load(std::memory_order_acquire); }
  // Keeps the first reason.
  void MarkLost(const std::string& reason);
  // HAL_SUCCESS, or HAL_ERROR_UNAVAILABLE with the message set.
  hal_result Check() const;

 private:
  std::atomic<bool> lost_{false};
  mutable std::mutex mutex_;
  std::string reason_;
};

// The first asynchronous error a stream met, which stream_synchronize and
// stream_query return from then on (with its message).
class FirstError {
 public:
  // Keeps (result, message) when it is the first error; returns the first.
  hal_result Record(hal_result result, const std::string& message);
  // The first error with its message set, or HAL_SUCCESS.
  hal_result Get() const;

 private:
  mutable std::mutex mutex_;
  hal_result result_ = HAL_SUCCESS;
  std::string message_;
};

enum class BufferBacking {
  kCached,          // device memory from the caching allocator
  kHostStaging,     // pinned host memory the driver allocated
  kHostRegistered,  // the caller's host memory, registered
  kVirtual,         // a reserved range with physical memory mapped or not
};

struct Buffer {
  BufferBacking backing = BufferBacking::kCached;
  uint64_t address = 0;         // the device address kernels see
  uint64_t size = 0;            // as asked
  uint64_t allocated_size = 0;  // as taken from the device
  void* host = nullptr;         // kHostStaging, kHostRegistered
  MemoryBlock block;            // kCached
  uint64_t physical = 0;        // kVirtual: the physical allocation's handle
  bool committed = false;       // kVirtual: physical memory mapped
};

template <typename Context>
struct Stream {
  Context* context = nullptr;
  uint64_t handle = 0;
  FirstError first_error;
};

template <typename Context>
struct Event {
  Context* context = nullptr;
  uint64_t handle = 0;
  std::atomic<bool> signalled{false};
};

struct Kernel {
  uint64_t function = 0;
  hal_kernel_signature signature{};
};

// A loaded module and the kernels taken from it, which live as long as it.
template <typename Context>
class Module {
 public:
  Module(Context* context, uint64_t handle) : context_(context), handle_(handle) {}
  Context* context() const { return context_; }
  uint64_t handle() const { return handle_; }

  // The kernel named `name` with `signature`, made by `make` (returning
  // hal_result and filling a Kernel) on the first call; later calls with the
  // same name and signature return the same kernel, another signature makes
  // (and so checks) another.
  template <typename Make>
  hal_result GetKernel(const std::string& name, const hal_kernel_signature& signature,
                       const Make& make, Kernel** out_kernel) {
    std::string key = name;
    key.push_back('\0');
    key.append(reinterpret_cast<const char*>(&signature), sizeof(signature));
    std::lock_guard lock(mutex_);
    auto& slot = kernels_[key];
    if (slot == nullptr) {
      auto kernel = std::make_unique<Kernel>();
      kernel->signature = signature;
      if (const hal_result result = make(kernel.get()); result != HAL_SUCCESS) {
        kernels_.erase(key);
        return result;
      }
      slot = std::move(kernel);
    }
    *out_kernel = slot.get();
    return HAL_SUCCESS;
  }

 private:
  Context* const context_;
  const uint64_t handle_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Kernel>> kernels_;  // by name and signature
};

}  // namespace hal::gpu

#endif  // HAL_BACKENDS_GPU_CORE_GPU_OBJECTS_H_
