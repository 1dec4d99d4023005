// The state behind the fake libcuda.so.1: devices, contexts and the objects
// the CUDA driver API hands out. The handle types of cuda.h (CUctx_st,
// CUstream_st, ...) are opaque to callers, so the fake defines them. One
// process-wide State; every entry point validates the handles it is given
// against it (a stale or foreign handle answers CUDA_ERROR_INVALID_HANDLE).
#ifndef HAL_TESTS_FAKE_CUDA_FAKE_CUDA_STATE_H_
#define HAL_TESTS_FAKE_CUDA_FAKE_CUDA_STATE_H_

#include <cuda.h>

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

namespace hal::fake::cuda {
struct Device;
}

struct CUctx_st {
  hal::fake::cuda::Device* device = nullptr;
  uint32_t sm_count = 0;  // of a green context; 0 for the primary context
  // CUDA_ERROR_ILLEGAL_ADDRESS and kin: once set, every call on the context
  // answers it.
  std::atomic<int> sticky_error{CUDA_SUCCESS};
  int retain_count = 0;                       // primary context: retains minus releases
  std::shared_ptr<CUstream_st> default_stream;  // the NULL stream, made on first use
};

struct CUstream_st {
  CUctx_st* context = nullptr;
  int priority = 0;
  hal::fake::StreamWorker worker;
};

struct CUevent_st {
  CUctx_st* context = nullptr;
  bool timing = true;
  // Shared with the stream operations that record or wait on it, so that
  // destroying the event never strands them.
  std::shared_ptr<hal::fake::FakeEvent> event = std::make_shared<hal::fake::FakeEvent>();
};

struct CUfunc_st {
  CUmod_st* module = nullptr;
  std::string name;
  hal::fake::KernelParamLayout layout;
  hal::fake::CpuTwinKernel twin;
};

struct CUmod_st {
  CUctx_st* context = nullptr;
  std::map<std::string, hal::fake::KernelParamLayout> layouts;
  hal::fake::DeviceImageTwin twin;
  std::map<std::string, std::unique_ptr<CUfunc_st>> functions;
};

struct CUgreenCtx_st {
  CUctx_st context;
};

struct CUdevResourceDesc_st {
  uint32_t sm_count = 0;
};

namespace hal::fake::cuda {

inline constexpr uint64_t kAllocationRounding = 512;
inline constexpr uint64_t kVmmGranularity = 2 << 20;

struct Device {
  int ordinal = 0;
  int major = 9;
  int minor = 0;
  uint32_t sms = 132;
  bool vmm = true;
  bool green = true;
  uint32_t sm_alignment = 8;  // minimum partition and co-scheduled alignment
  std::unique_ptr<DeviceMemory> memory;
  std::atomic<bool> fault_pending{false};
  CUctx_st primary;
};

class State {
 public:
  // Discards every object and applies `config` (control API syntax).
  // Returns false, with the reason as the last violation, if it is malformed.
  bool Configure(absl::string_view config);

  std::mutex mutex;  // guards everything below but the ledger, registry and vm
  CallLedger ledger;
  AllocationRegistry registry;
  std::unique_ptr<VirtualAddressSpace> vm;  // made by Configure
  std::vector<std::unique_ptr<Device>> devices;
  bool configured = false;  // by the control API (else by the environment at cuInit)
  bool initialized = false;
  int init_error = CUDA_SUCCESS;

  std::map<CUstream_st*, std::shared_ptr<CUstream_st>> streams;
  std::map<CUevent_st*, std::unique_ptr<CUevent_st>> events;
  std::map<CUmod_st*, std::unique_ptr<CUmod_st>> modules;
  std::map<CUgreenCtx_st*, std::unique_ptr<CUgreenCtx_st>> green_contexts;
  std::map<CUdevResourceDesc_st*, std::unique_ptr<CUdevResourceDesc_st>> resource_descs;


 private:
  void DiscardLocked();
};

State& Fake();

// The calling thread's current context (top of its stack), or nullptr.
CUctx_st* CurrentContext();
std::vector<CUctx_st*>& ContextStack();

// The stream to run on: `stream`, or the context's NULL stream. nullptr when
// `stream` is not live.
std::shared_ptr<CUstream_st> ResolveStream(CUstream stream, CUctx_st* current);

// Waits until every stream of `device` ran what it was given (what the real
// driver does before it frees memory the device may still use).
void DrainDevice(const Device* device);

Device* DeviceAt(CUdevice ordinal);

// CUDA_SUCCESS with the current context in `*context`, or why a call that
// needs one cannot run: none is current (CUDA_ERROR_INVALID_CONTEXT) or it
// holds a sticky error.
CUresult RequireContext(CUctx_st** context);
// The sticky error of `context`, CUDA_SUCCESS if none.
inline CUresult StickyError(const CUctx_st* context) {
  return static_cast<CUresult>(context->sticky_error.load());
}

}  // namespace hal::fake::cuda

// Every entry point starts with one of these: it counts the call and answers
// an injected failure if one is queued; the second also needs cuInit.
#define FAKE_CU_ENTER(name)                                                   \
  do {                                                                        \
    if (const auto injected = ::hal::fake::cuda::Fake().ledger.OnCall(name)) \
      return static_cast<CUresult>(*injected);                                \
  } while (0)
#define FAKE_CU_ENTER_INITIALIZED(name)                                              \
  do {                                                                               \
    FAKE_CU_ENTER(name);                                                             \
    if (!::hal::fake::cuda::Initialized()) return CUDA_ERROR_NOT_INITIALIZED;        \
  } while (0)

namespace hal::fake::cuda {
bool Initialized();
}

#endif  // HAL_TESTS_FAKE_CUDA_FAKE_CUDA_STATE_H_
