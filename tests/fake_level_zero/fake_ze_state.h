// The state behind the fake Level Zero driver: the driver, its devices and
// sub-devices, and the objects the Level Zero API hands out. ze_api.h's handle
// types (_ze_device_handle_t, ...) are opaque to callers, so the fake defines
// them. One process-wide State, configured from HAL_FAKE_ZE_CONFIG at the
// first zeInit (the loader calls it once per process). Every entry point
// counts its call in the ledger, where a test can queue failures
// (fake_ze_control.h).
#ifndef HAL_TESTS_FAKE_LEVEL_ZERO_FAKE_ZE_STATE_H_
#define HAL_TESTS_FAKE_LEVEL_ZERO_FAKE_ZE_STATE_H_

#include <level_zero/ze_api.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tests/fake_level_zero/spirv_kernel_params.h"
#include "tests/fake_vendor/allocation_registry.h"
#include "tests/fake_vendor/call_ledger.h"
#include "tests/fake_vendor/device_memory.h"
#include "tests/fake_vendor/stream_worker.h"
#include "tests/fake_vendor/twin_bundles.h"
#include "tests/fake_vendor/virtual_memory.h"

struct _ze_driver_handle_t {};

struct _ze_device_handle_t {
  uint32_t ordinal = 0;           // of the root device
  int32_t subdevice_index = -1;   // -1 for a root device
  _ze_device_handle_t* root = nullptr;
  std::vector<std::unique_ptr<_ze_device_handle_t>> subdevices;
  uint32_t eus = 0;               // execution units of this (sub-)device
  bool vmm = true;
  std::shared_ptr<hal::fake::DeviceMemory> memory;  // the root's, shared by its sub-devices
};

struct _ze_context_handle_t {};

// A Level Zero event: signalled by a command list or the host, reset by the
// host; waits block until it is signalled.
struct _ze_event_handle_t {
  _ze_event_pool_handle_t* pool = nullptr;
  void Signal();
  void Reset();
  bool signalled() const;
  void Wait() const;
  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  bool is_signalled = false;
};

struct _ze_event_pool_handle_t {
  uint32_t count = 0;
  ze_event_pool_flags_t flags = 0;
  std::map<uint32_t, std::unique_ptr<_ze_event_handle_t>> events;  // by index
};

// An immediate command list: commands run in order on its own worker.
struct _ze_command_list_handle_t {
  _ze_device_handle_t* device = nullptr;
  ze_command_queue_priority_t priority = ZE_COMMAND_QUEUE_PRIORITY_NORMAL;
  hal::fake::StreamWorker worker;
};

struct _ze_module_handle_t {
  _ze_device_handle_t* device = nullptr;
  std::map<std::string, hal::fake::level_zero::SpirvKernel> kernels;
  hal::fake::DeviceImageTwin twin;
};

struct _ze_module_build_log_handle_t {
  std::string text;
};

struct _ze_kernel_handle_t {
  _ze_module_handle_t* module = nullptr;
  std::string name;
  hal::fake::level_zero::SpirvKernel params;
  hal::fake::CpuTwinKernel twin;
  std::array<uint32_t, 3> group_size{0, 0, 0};  // 0s: never set
  std::vector<std::optional<std::vector<uint8_t>>> arguments;  // one per parameter
  std::mutex mutex;
};

struct _ze_physical_mem_handle_t {
  _ze_physical_mem_handle_t(_ze_device_handle_t* device, hal::fake::PhysicalMemory memory)
      : device(device), memory(std::move(memory)) {}
  _ze_device_handle_t* device;
  hal::fake::PhysicalMemory memory;
  int mappings = 0;
};

namespace hal::fake::level_zero {

// zeDeviceGetProperties' timerResolution (ns per tick) and valid bits.
inline constexpr uint64_t kTimerResolutionNs = 1;
inline constexpr uint64_t kVirtualPageSize = 64 << 10;
inline constexpr uint64_t kAllocationRounding = 4096;

class State {
 public:
  // Applies HAL_FAKE_ZE_CONFIG (once); returns zeInit's answer.
  ze_result_t Initialize();

  std::mutex mutex;  // guards everything below but the ledger and registry
  CallLedger ledger;
  AllocationRegistry registry;
  _ze_driver_handle_t driver;
  _ze_context_handle_t context;  // the one context the fake hands out
  bool context_live = false;
  std::vector<std::unique_ptr<_ze_device_handle_t>> devices;
  std::optional<ze_result_t> init_result;  // set by the first zeInit

  std::map<_ze_command_list_handle_t*, std::shared_ptr<_ze_command_list_handle_t>> command_lists;
  std::map<_ze_event_pool_handle_t*, std::unique_ptr<_ze_event_pool_handle_t>> event_pools;
  std::map<_ze_module_handle_t*, std::unique_ptr<_ze_module_handle_t>> modules;
  std::map<_ze_module_build_log_handle_t*, std::unique_ptr<_ze_module_build_log_handle_t>> logs;
  std::map<_ze_kernel_handle_t*, std::shared_ptr<_ze_kernel_handle_t>> kernels;
  std::map<_ze_physical_mem_handle_t*, std::unique_ptr<_ze_physical_mem_handle_t>> physical;
  std::map<uintptr_t, uint64_t> reservations;  // base -> size
  struct Mapping {
    uint64_t size = 0;
    _ze_physical_mem_handle_t* physical = nullptr;
  };
  std::map<uintptr_t, Mapping> mappings;        // base -> what is mapped there
  std::map<uintptr_t, _ze_device_handle_t*> device_allocations;  // base -> owner
  std::map<uintptr_t, uint64_t> host_allocations;                // base -> size
};

State& Fake();

// True when `device` is a live (sub-)device of the fake.
bool IsDevice(ze_device_handle_t device);

// Drains every command list (what a real driver does before freeing memory
// a queue may still use).
void DrainCommandLists();

}  // namespace hal::fake::level_zero

// Every entry point starts with this: it counts the call and answers an
// injected failure if one is queued, then requires a successful zeInit.
#define FAKE_ZE_ENTER(name)                                                          \
  do {                                                                               \
    if (const auto injected = ::hal::fake::level_zero::Fake().ledger.OnCall(name))   \
      return static_cast<ze_result_t>(*injected);                                    \
    if (::hal::fake::level_zero::Fake().init_result != ZE_RESULT_SUCCESS)            \
      return ZE_RESULT_ERROR_UNINITIALIZED;                                          \
  } while (0)

#endif  // HAL_TESTS_FAKE_LEVEL_ZERO_FAKE_ZE_STATE_H_
