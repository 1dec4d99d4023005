// An opened device (a device context): the owner of buffers, queues, events
// and kernels. Thread-safe. Objects made from it keep it alive, so they may be
// released in any order.
#ifndef HAL_DEVICE_H_
#define HAL_DEVICE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "hal/export.h"
#include "hal/native_handle.h"
#include "hal/types.h"

namespace hal {

class Buffer;
class Event;
class Kernel;
class KernelBundle;
class PhysicalDevice;
class Queue;
struct QueueOptions;
namespace internal {
struct DeviceState;
struct Access;
}  // namespace internal

// How Device::RegisterHostMemory treats the memory it registers.
struct HostRegistrationOptions {
  // Charge the registered bytes to a virtual device's quota (nothing on a
  // device without one).
  bool charge_quota = false;
  // With charge_quota: charge as Allocate(charged_size, kHostStaging) would,
  // for whole pages registered on behalf of a request of fewer bytes (at
  // most the registered size; 0: the registered size).
  uint64_t charged_size = 0;
  // Held until the driver has let go of the memory (after the last queued
  // work on the buffer), e.g. the mapping `host` lies in.
  std::shared_ptr<const void> keep_alive;
};

class HAL_API Device : public std::enable_shared_from_this<Device> {
 public:
  HAL_INTERNAL explicit Device(std::shared_ptr<internal::DeviceState> state);
  ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  const PhysicalDevice& physical_device() const;
  // The physical device's id and this context's number: "cpu:0#2". Names the
  // device in error messages.
  const std::string& label() const;
  // Partition units granted (the whole device's units when not partitioned).
  uint32_t partition_units() const;

  // Allocates `size` bytes (>= 1). InvalidArgument for 0; ResourceExhausted
  // when the device cannot hold it (the message names size and capacity).
  absl::StatusOr<std::shared_ptr<Buffer>> Allocate(uint64_t size,
                                                   BufferKind kind = BufferKind::kDevice);
  // Registers `size` bytes of host memory the caller owns at `host` as a
  // host-staging buffer over that very memory: copies to and from it need no
  // intermediate copy, Map() returns `host`, and it takes (and is charged) no
  // device memory. The memory must stay valid, and must not be freed, until
  // the buffer is gone (queues keep it alive while their work uses it).
  // InvalidArgument for a null `host`, a size of 0, or either not a multiple
  // of the host's page size; Unimplemented on a device without
  // Capability::kHostRegistration.
  absl::StatusOr<std::shared_ptr<Buffer>> RegisterHostMemory(void* host, uint64_t size);
  // As above, with `options`. With charge_quota on a virtual device, the
  // registered bytes count against its quota exactly as
  // Allocate(size, BufferKind::kHostStaging) would (ResourceExhausted over
  // quota, nothing changed) until the buffer is gone: for a daemon that
  // registers a tenant's memory on its behalf, since pinned host memory is a
  // node resource like the staging allocation it replaces. options.keep_alive
  // outlives the registration.
  absl::StatusOr<std::shared_ptr<Buffer>> RegisterHostMemory(
      void* host, uint64_t size, const HostRegistrationOptions& options);

  // A queue of normal priority.
  absl::StatusOr<std::unique_ptr<Queue>> CreateQueue();
  // A queue with `options` (hal/queue.h); the priority is honoured where the
  // device reports Capability::kStreamPriority and ignored elsewhere.
  absl::StatusOr<std::unique_ptr<Queue>> CreateQueue(const QueueOptions& options);
  absl::StatusOr<std::shared_ptr<Event>> CreateEvent();
  // Loads `kernel_name` from the bundle's best image for this device.
  // NotFound when the bundle lacks the kernel or an image format the device
  // takes (the message lists what the bundle has and what the device takes).
  absl::StatusOr<std::shared_ptr<Kernel>> LoadKernel(const KernelBundle& bundle,
                                                     absl::string_view kernel_name);

  // The vendor context behind the device (hal/native_handle.h): "CUcontext",
  // "VkDevice", ... Unimplemented on a device without
  // Capability::kNativeHandles. PermissionDenied on a virtual device: with
  // the vendor context, work and memory would bypass its quotas and its
  // isolation from the pool's other tenants (its buffers', queues', events'
  // and kernels' handles are given, as they reach only its own objects).
  absl::StatusOr<hal::NativeHandle> NativeHandle() const;

  // Bytes of live allocations made through this device, with granularity.
  uint64_t allocated_bytes() const;
  // Bytes the driver keeps of freed buffers for reuse (devices with
  // Capability::kMemoryCache, up to DeviceOptions::memory_cache_limit; 0
  // elsewhere). A virtual device's quota is charged for them too.
  uint64_t cached_bytes() const;
  // Gives the driver's cache back to the device: cached_bytes() becomes 0.
  // An allocation refused for quota or device memory does this and retries
  // once on its own.
  void TrimMemoryCache();

 private:
  friend struct internal::Access;
  std::shared_ptr<internal::DeviceState> state_;
};

}  // namespace hal

#endif  // HAL_DEVICE_H_
