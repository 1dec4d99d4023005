// The state behind the fake libamdhip64: devices and the objects the HIP
// runtime hands out. The handle types of hip_runtime_api.h (ihipStream_t,
// ihipEvent_t, ...) are opaque to callers, so the fake defines them. One
// process-wide State; every entry point validates the handles it is given
// against it (a stale or foreign handle answers hipErrorInvalidHandle).
#ifndef HAL_TESTS_FAKE_HIP_FAKE_HIP_STATE_H_
#define HAL_TESTS_FAKE_HIP_FAKE_HIP_STATE_H_

#ifndef __HIP_PLATFORM_AMD__
#define __HIP_PLATFORM_AMD__ 1
#endif
#include <hip/hip_ext.h>
#include <hip/hip_runtime_api.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "tests/fake_vendor/allocation_registry.h"
#include "tests/fake_vendor/call_ledger.h"
#include "tests/fake_vendor/device_memory.h"
#include "tests/fake_vendor/launch_check.h"
#include "tests/fake_vendor/stream_worker.h"
#include "tests/fake_vendor/twin_bundles.h"
#include "tests/fake_vendor/virtual_address_space.h"

// A device's primary context: HIP needs none, but a driver names it as the
// native handle of its context.
struct ihipCtx_t {
  int device = 0;
  int retains = 0;
};

struct ihipStream_t {
  int device = 0;
  int priority = 0;
  std::vector<uint32_t> cu_mask;  // empty: every CU of the device
  hal::fake::StreamWorker worker;
};

struct ihipEvent_t {
  bool timing = true;
  // Shared with the stream operations that record or wait on it, so that
  // destroying the event never strands them.
  std::shared_ptr<hal::fake::FakeEvent> event = std::make_shared<hal::fake::FakeEvent>();
};

struct ihipModuleSymbol_t {
  ihipModule_t* module = nullptr;
  std::string name;
  hal::fake::KernelParamLayout layout;
  hal::fake::CpuTwinKernel twin;
};

struct ihipModule_t {
  int device = 0;
  std::map<std::string, hal::fake::KernelParamLayout> layouts;
  hal::fake::DeviceImageTwin twin;
  std::map<std::string, std::unique_ptr<ihipModuleSymbol_t>> functions;
};

namespace hal::fake::hip {

inline constexpr uint64_t kAllocationRounding = 256;
inline constexpr uint64_t kVmmGranularity = 2 << 20;

struct Device {
  int ordinal = 0;
  std::string arch = "gfx90a:sramecc+:xnack-";  // gcnArchName
  uint32_t cus = 104;
  bool vmm = true;
  std::unique_ptr<DeviceMemory> memory;
  std::atomic<bool> fault_pending{false};
  // hipErrorIllegalAddress and kin: once set, every call on the device answers it.
  std::atomic<int> sticky_error{hipSuccess};
  std::shared_ptr<ihipStream_t> null_stream;  // made on first use
  ihipCtx_t primary;
};

class State {
 public:
  // Discards every object and applies `config` (fake_hip_control.h syntax)
  // and `archs` (gcnArchNames, comma-separated: one per device or one for
  // all; empty: the default). False, with the reason as the last violation,
  // if either is malformed.
  bool Configure(absl::string_view config, absl::string_view archs);

  std::mutex mutex;  // guards everything below but the ledger, registry and vm
  CallLedger ledger;
  AllocationRegistry registry;
  std::unique_ptr<VirtualAddressSpace> vm;
  std::vector<std::unique_ptr<Device>> devices;
  bool configured = false;  // by the control API (else by the environment at hipInit)
  bool initialized = false;
  int init_error = hipSuccess;

  std::map<ihipStream_t*, std::shared_ptr<ihipStream_t>> streams;
  std::map<ihipEvent_t*, std::unique_ptr<ihipEvent_t>> events;
  std::map<ihipModule_t*, std::unique_ptr<ihipModule_t>> modules;
  std::map<void*, uint64_t> host_allocations;  // hipHostMalloc'd base -> size

 private:
  void DiscardLocked();
};

State& Fake();

// The calling thread's device (hipSetDevice), 0 until set.
int& CurrentDevice();
Device* DeviceAt(int ordinal);

// The stream to run on: `stream`, or the current device's NULL stream.
// nullptr when `stream` is not live.
std::shared_ptr<ihipStream_t> ResolveStream(hipStream_t stream);

// Waits until every stream of `device` ran what it was given (what the real
// runtime does before it frees memory the device may still use).
void DrainDevice(int device);

// hipSuccess, or the sticky error of `device` (hipErrorInvalidDevice if none).
hipError_t DeviceError(int device);

bool Initialized();

}  // namespace hal::fake::hip

// Every entry point starts with one of these: it counts the call and answers
// an injected failure if one is queued; the second also needs hipInit.
#define FAKE_HIP_ENTER(name)                                                  \
  do {                                                                        \
    if (const auto injected = ::hal::fake::hip::Fake().ledger.OnCall(name))   \
      return static_cast<hipError_t>(*injected);                              \
  } while (0)
#define FAKE_HIP_ENTER_INITIALIZED(name)                                          \
  do {                                                                            \
    FAKE_HIP_ENTER(name);                                                         \
    if (!::hal::fake::hip::Initialized()) return hipErrorNotInitialized;          \
  } while (0)

#define FAKE_HIP_EXPORT extern "C" __attribute__((visibility("default")))

#endif  // HAL_TESTS_FAKE_HIP_FAKE_HIP_STATE_H_
