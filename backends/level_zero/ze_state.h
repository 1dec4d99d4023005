// The Level Zero driver's state and objects: the resolved loader functions,
// one Level Zero context per Level Zero driver (shared by every hal context
// on its devices), the devices served with their sub-devices, and the objects
// behind the ABI's opaque handles.
#ifndef HAL_BACKENDS_LEVEL_ZERO_ZE_STATE_H_
#define HAL_BACKENDS_LEVEL_ZERO_ZE_STATE_H_

#include <level_zero/ze_api.h>

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "backends/common/driver_handles.h"
#include "backends/common/subdevice_partitions.h"
#include "backends/gpu_core/gpu_objects.h"
#include "backends/level_zero/ze_library.h"
#include "hal/driver/hal_driver.h"

namespace hal::level_zero {

struct Device {
  ze_context_handle_t context = nullptr;  // of the device's Level Zero driver
  ze_device_handle_t device = nullptr;
  std::vector<ze_device_handle_t> subdevices;  // the partition units
  uint32_t compute_ordinal = 0;                // a queue group with the compute flag
  uint32_t max_priority = 0;                   // zeDeviceGetProperties' maxCommandQueuePriority
  uint64_t timer_resolution_ns = 1;
  uint64_t timestamp_mask = ~uint64_t{0};  // timestampValidBits
  hal_device_properties properties{};
  std::unique_ptr<driver_support::SubdevicePartitions> partitions;  // units: sub-devices
};

struct UnusableDevice {
  std::string name;
  std::string reason;
};

struct DriverState {
  ZeApi api;
  std::vector<ze_context_handle_t> contexts;  // one per Level Zero driver
  std::vector<std::unique_ptr<Device>> devices;
  std::vector<UnusableDevice> unusable;
};

DriverState& State();
inline const ZeApi& Api() { return State().api; }

// A hal context: the whole device (its streams and modules on the root
// device) or the sub-devices of its partition (streams spread over them
// round robin, a module built for each). Memory is always the root
// device's, which its sub-devices reach.
struct Context {
  Device* device = nullptr;
  std::vector<ze_device_handle_t> targets;  // where streams and modules live
  driver_support::SubdeviceLease lease;     // the sub-devices of a partition
  uint32_t units = 0;
  std::atomic<uint32_t> next_target{0};
  gpu::ContextHealth health;
};

struct Buffer {
  enum class Kind { kDevice, kHost, kVirtual };
  Kind kind = Kind::kDevice;
  void* pointer = nullptr;  // the address kernels and copies see
  uint64_t allocated_size = 0;
  ze_physical_mem_handle_t physical = nullptr;  // kVirtual while committed
};

// One Level Zero event in a host-visible pool of its own, with the host slot
// a signal's timestamp is written to (null for a stream's marker).
struct ZeEvent {
  ze_event_pool_handle_t pool = nullptr;
  ze_event_handle_t event = nullptr;
  uint64_t* timestamp = nullptr;  // zeMemAllocHost'd
  bool waited = false;            // a stream was told to wait for it
};

// A hal event. Each signal gets a Level Zero event of its own: resetting the
// one a stream may still wait for would hold that stream until the next
// signal (streams waiting on each other in turn would deadlock). The latest
// is `current`; earlier ones another stream waited for stay in `retired`
// until the hal event goes, the others are reused once signalled.
struct Event {
  Context* context = nullptr;
  std::mutex mutex;
  ZeEvent current;
  std::vector<ZeEvent> retired;
  std::vector<ZeEvent> spare;  // signalled and never waited for: reset and reused
  bool recorded = false;       // signalled at least once
};

// An immediate command list on a compute queue. Each command is followed by
// a barrier signalling a marker event, so the latest marker says whether the
// stream ran everything (query, synchronize) without appending anything.
// Markers are reused once signalled.
struct Stream {
  Context* context = nullptr;
  uint32_t target = 0;  // index into context->targets
  ze_command_list_handle_t list = nullptr;
  std::deque<ZeEvent> in_flight;  // markers of appended commands, oldest first
  std::vector<ZeEvent> free_markers;
  gpu::FirstError first_error;
};

// One Level Zero kernel per target of the context; arguments are set and the
// launch appended under the mutex (Level Zero captures them at append).
struct Kernel {
  std::vector<ze_kernel_handle_t> kernels;
  hal_kernel_signature signature{};
  std::mutex mutex;
};

struct Module {
  Context* context = nullptr;
  std::vector<ze_module_handle_t> modules;  // one per target
  std::mutex mutex;
  std::map<std::string, std::unique_ptr<Kernel>> kernels;  // by name and signature
};

inline constexpr driver_support::Unwrapper<Context, Buffer, Stream, Event, Module, Kernel> Unwrap{};
using driver_support::Wrap;

inline constexpr driver_support::ExceptionBarrier Guarded{"the Level Zero driver"};

}  // namespace hal::level_zero

#endif  // HAL_BACKENDS_LEVEL_ZERO_ZE_STATE_H_
