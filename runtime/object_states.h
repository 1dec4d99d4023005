// The runtime's objects behind the public handles. Each holds the driver
// object it wraps and a reference to its device's state, so a device context
// is destroyed only after everything made from it.
#ifndef HAL_RUNTIME_OBJECT_STATES_H_
#define HAL_RUNTIME_OBJECT_STATES_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "hal/driver/hal_driver.h"
#include "hal/kernel_bundle.h"
#include "hal/physical_device.h"
#include "runtime/access.h"
#include "runtime/compute_gate.h"
#include "runtime/context_health.h"
#include "runtime/loaded_driver.h"
#include "runtime/memory_cache_account.h"
#include "runtime/residency.h"
#include "runtime/tenant.h"

namespace hal::internal {

// A module loaded from one image of one bundle; held by its kernels (the
// device's module cache only refers to it).
struct ModuleState {
  ModuleState(const hal_driver_table* table, hal_drv_module* module)
      : table(table), module(module) {}
  ~ModuleState() { table->module_destroy(module); }
  ModuleState(const ModuleState&) = delete;
  ModuleState& operator=(const ModuleState&) = delete;

  const hal_driver_table* table;
  hal_drv_module* module;
};

struct DeviceState;
// Frees what the service stream still holds (runtime/service_stream.h).
void DrainServiceStream(DeviceState& device);

struct DeferredFree {
  hal_drv_event* fence;
  hal_drv_buffer* buffer;  // null when only the fence is to be reused
  uint64_t bytes;          // the buffer's allocated size
};

struct DeviceState {
  DeviceState(std::shared_ptr<const PhysicalDevice> physical, hal_drv_context* context,
              std::string label, uint32_t partition_units, std::shared_ptr<Tenant> tenant,
              std::shared_ptr<ResidencyController> residency,
              std::shared_ptr<ComputeGate> compute_gate,
              std::unique_ptr<MemoryCacheAccount> cache_account)
      : physical(std::move(physical)),
        driver(&Access::Driver(*this->physical)),
        table(&driver->table()),
        context(context),
        label(std::move(label)),
        partition_units(partition_units),
        tenant(std::move(tenant)),
        residency(std::move(residency)),
        compute_gate(std::move(compute_gate)),
        cache_account(std::move(cache_account)) {}
  ~DeviceState() {
    {
      std::lock_guard<std::mutex> lock(modules_mu);
      modules.clear();
    }
    DrainServiceStream(*this);
    {
      std::lock_guard<std::mutex> lock(service_mu);
      for (hal_drv_event* fence : spare_fences) table->event_destroy(fence);
      if (service_stream != nullptr) table->stream_destroy(service_stream);
    }
    if (compute_gate) compute_gate->Close(*this);
    table->context_destroy(context);
  }
  DeviceState(const DeviceState&) = delete;
  DeviceState& operator=(const DeviceState&) = delete;

  const DeviceProperties& props() const { return physical->properties(); }

  // Shared, so that the driver library stays loaded while the context lives,
  // even past its Runtime.
  const std::shared_ptr<const PhysicalDevice> physical;
  const LoadedDriver* const driver;
  const hal_driver_table* const table;
  hal_drv_context* const context;
  const std::string label;
  const uint32_t partition_units;
  // The virtual device owning this context, or null for a plain context. A
  // tenant's allocations are charged to it and read as zeros when handed out.
  const std::shared_ptr<Tenant> tenant;
  // Bounds resident memory when the tenant's pool overcommits; else null.
  const std::shared_ptr<ResidencyController> residency;
  // Time-slices the tenant's share of the device; null when none applies.
  const std::shared_ptr<ComputeGate> compute_gate;
  // What the driver's cache of freed memory holds (charged to the tenant);
  // null for a device without HAL_CAPABILITY_MEMORY_CACHE. Outlives the
  // context, whose destruction uncharges the cache.
  const std::unique_ptr<MemoryCacheAccount> cache_account;
  // The one audited point of memory accounting: every allocation of this
  // device adds its allocated size here and every free subtracts it.
  std::atomic<uint64_t> allocated_bytes{0};
  // Lost after a device-lost failure of its work (sticky); injected faults.
  ContextHealth health;

  // The runtime's own stream on this context (zeroing new buffers, eviction
  // and restore copies); created on first use (runtime/service_stream.h).
  std::mutex service_mu;
  hal_drv_stream* service_stream = nullptr;  // guarded by service_mu
  // Events of the service stream ready for reuse, and buffers freed while
  // their zeroing was still running, freed once their fence completes.
  std::vector<hal_drv_event*> spare_fences;  // guarded by service_mu
  std::deque<DeferredFree> deferred_frees;   // guarded by service_mu
  uint64_t deferred_bytes = 0;               // of deferred_frees; guarded by service_mu

  std::mutex modules_mu;
  // (bundle id, image index) -> module, while a kernel of it lives: a module
  // is unloaded with its last kernel, so a long-lived device (hald's virtual
  // devices, loading every tenant's images) does not keep them all.
  absl::flat_hash_map<std::pair<uint64_t, size_t>, std::weak_ptr<ModuleState>>
      modules;  // guarded by modules_mu
};

// Where a buffer's contents are, for buffers under a residency controller.
// Guarded by that controller's lock.
struct ResidencySlot {
  bool resident = true;
  // An eviction (resident) or restore (not yet resident) copy is under way
  // without the controller's lock; the buffer stays put until it ends.
  bool moving = false;
  bool registered = false;  // evictable once registered (after zeroing)
  bool pinned = false;      // never evicted (mapped)
  // Allocated HAL_BUFFER_FLAG_DECOMMITTABLE: eviction decommits the driver
  // buffer, which keeps its device address, instead of freeing it.
  bool decommittable = false;
  uint32_t in_flight = 0;  // submissions still using it
  uint64_t last_use = 0;   // the controller's clock at the last use
  // The contents while evicted; empty for a buffer allocated evicted, whose
  // contents are zeros.
  std::vector<uint8_t> saved;
};

struct BufferState {
  BufferState(std::shared_ptr<DeviceState> device, hal_drv_buffer* buffer, uint64_t size,
              uint64_t allocated_size, BufferKind kind)
      : device(std::move(device)),
        buffer(buffer),
        size(size),
        allocated_size(allocated_size),
        kind(kind) {}
  ~BufferState();  // runtime/buffer.cc
  BufferState(const BufferState&) = delete;
  BufferState& operator=(const BufferState&) = delete;

  const std::shared_ptr<DeviceState> device;
  // Changes only under a residency controller, when evicted and restored.
  hal_drv_buffer* buffer;
  ResidencySlot residency_slot;
  const uint64_t size;
  const uint64_t allocated_size;
  const BufferKind kind;
  // Bytes charged to the device's tenant for this buffer (0 without one).
  uint64_t charged = 0;
  // A tenant's new buffer is zeroed in stream order on the service stream:
  // every use waits for this fence until it is seen complete (`zeroed`).
  // Set before the buffer is handed out; kept until it is freed.
  hal_drv_event* zero_fence = nullptr;
  std::atomic<bool> zeroed{true};
};

struct EventState {
  EventState(std::shared_ptr<DeviceState> device, hal_drv_event* event)
      : device(std::move(device)), event(event) {}
  ~EventState() { device->table->event_destroy(event); }
  EventState(const EventState&) = delete;
  EventState& operator=(const EventState&) = delete;

  const std::shared_ptr<DeviceState> device;
  hal_drv_event* const event;
  std::atomic<bool> submitted{false};  // signalled by some queue at least once
};

struct KernelState {
  std::shared_ptr<DeviceState> device;
  std::shared_ptr<ModuleState> module;
  hal_drv_kernel* kernel = nullptr;
  KernelInfo info;
  std::string image_format;
};

}  // namespace hal::internal

#endif  // HAL_RUNTIME_OBJECT_STATES_H_
