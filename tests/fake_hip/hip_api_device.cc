// Initialization, error names, devices and their properties.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "tests/fake_hip/fake_hip_state.h"

namespace hal::fake::hip {
namespace {

// The errors the fake answers (and a few a driver maps), with the names the
// real runtime gives them.
#define HAL_FAKE_HIP_ERRORS(X)                                                       \
  X(hipSuccess) X(hipErrorInvalidValue) X(hipErrorOutOfMemory)                       \
  X(hipErrorNotInitialized) X(hipErrorDeinitialized) X(hipErrorInvalidConfiguration) \
  X(hipErrorNoDevice) X(hipErrorInvalidDevice) X(hipErrorInvalidImage)               \
  X(hipErrorInvalidContext) X(hipErrorNoBinaryForGpu) X(hipErrorInvalidSource)       \
  X(hipErrorInvalidHandle) X(hipErrorNotFound) X(hipErrorNotReady)                   \
  X(hipErrorIllegalAddress) X(hipErrorLaunchOutOfResources) X(hipErrorLaunchFailure) \
  X(hipErrorNotSupported) X(hipErrorHostMemoryAlreadyRegistered)                     \
  X(hipErrorHostMemoryNotRegistered) X(hipErrorAssert) X(hipErrorUnknown)

// Any int may be asked about (an unknown code is the question), so the code
// is read as an int: loading an enum outside its range is undefined (UBSan).
const char* ErrorName(const hipError_t& asked) {
  int error = 0;
  std::memcpy(&error, &asked, sizeof(error));
  switch (error) {
#define HAL_FAKE_HIP_ERROR_CASE(name) \
  case name:                          \
    return #name;
    HAL_FAKE_HIP_ERRORS(HAL_FAKE_HIP_ERROR_CASE)
#undef HAL_FAKE_HIP_ERROR_CASE
    default:
      return "hipErrorUnknown";
  }
}

const char* Environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// The device `ordinal` once hipInit succeeded, or why not.
hipError_t RequireDevice(int ordinal, Device** device) {
  if (!Initialized()) return hipErrorNotInitialized;
  *device = DeviceAt(ordinal);
  return *device != nullptr ? hipSuccess : hipErrorInvalidDevice;
}

}  // namespace
}  // namespace hal::fake::hip

using hal::fake::hip::Device;
using hal::fake::hip::Fake;
using hal::fake::hip::RequireDevice;

FAKE_HIP_EXPORT hipError_t hipInit(unsigned int flags) {
  FAKE_HIP_ENTER("hipInit");
  if (flags != 0) return hipErrorInvalidValue;
  hal::fake::hip::State& state = Fake();
  bool configured = false;
  {
    std::lock_guard lock(state.mutex);
    configured = state.configured;
  }
  if (!configured) {
    state.Configure(hal::fake::hip::Environment("HAL_FAKE_HIP_CONFIG"),
                    hal::fake::hip::Environment("HAL_FAKE_HIP_ARCHS"));
  }
  std::lock_guard lock(state.mutex);
  if (state.init_error != hipSuccess) return static_cast<hipError_t>(state.init_error);
  state.initialized = true;
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipDriverGetVersion(int* driverVersion) {
  FAKE_HIP_ENTER("hipDriverGetVersion");
  if (driverVersion == nullptr) return hipErrorInvalidValue;
  *driverVersion = 50223000;  // what Debian's ROCm 5.2.3 reports, roughly
  return hipSuccess;
}

FAKE_HIP_EXPORT const char* hipGetErrorName(hipError_t hip_error) {
  return hal::fake::hip::ErrorName(hip_error);
}

FAKE_HIP_EXPORT const char* hipGetErrorString(hipError_t hipError) {
  return hal::fake::hip::ErrorName(hipError);  // as the real runtime does
}

FAKE_HIP_EXPORT hipError_t hipGetDeviceCount(int* count) {
  FAKE_HIP_ENTER_INITIALIZED("hipGetDeviceCount");
  if (count == nullptr) return hipErrorInvalidValue;
  hal::fake::hip::State& state = Fake();
  std::lock_guard lock(state.mutex);
  *count = static_cast<int>(state.devices.size());
  return state.devices.empty() ? hipErrorNoDevice : hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipDeviceGet(hipDevice_t* device, int ordinal) {
  FAKE_HIP_ENTER_INITIALIZED("hipDeviceGet");
  Device* found = nullptr;
  if (const hipError_t error = RequireDevice(ordinal, &found)) return error;
  if (device == nullptr) return hipErrorInvalidValue;
  *device = ordinal;
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipDeviceGetName(char* name, int len, hipDevice_t device) {
  FAKE_HIP_ENTER_INITIALIZED("hipDeviceGetName");
  Device* found = nullptr;
  if (const hipError_t error = RequireDevice(device, &found)) return error;
  if (name == nullptr || len <= 0) return hipErrorInvalidValue;
  std::snprintf(name, static_cast<size_t>(len), "hal fake HIP device %d (test double)", device);
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipDeviceGetUuid(hipUUID* uuid, hipDevice_t device) {
  FAKE_HIP_ENTER_INITIALIZED("hipDeviceGetUuid");
  Device* found = nullptr;
  if (const hipError_t error = RequireDevice(device, &found)) return error;
  if (uuid == nullptr) return hipErrorInvalidValue;
  std::memset(uuid->bytes, 0, sizeof(uuid->bytes));
  std::memcpy(uuid->bytes, "halfakehip", 10);
  uuid->bytes[15] = static_cast<char>(device);
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipDeviceTotalMem(size_t* bytes, hipDevice_t device) {
  FAKE_HIP_ENTER_INITIALIZED("hipDeviceTotalMem");
  Device* found = nullptr;
  if (const hipError_t error = RequireDevice(device, &found)) return error;
  if (bytes == nullptr) return hipErrorInvalidValue;
  *bytes = found->memory->capacity();
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipDeviceGetAttribute(int* pi, hipDeviceAttribute_t attr,
                                                 int deviceId) {
  FAKE_HIP_ENTER_INITIALIZED("hipDeviceGetAttribute");
  Device* found = nullptr;
  if (const hipError_t error = RequireDevice(deviceId, &found)) return error;
  if (pi == nullptr) return hipErrorInvalidValue;
  switch (attr) {
    case hipDeviceAttributeMultiprocessorCount: *pi = static_cast<int>(found->cus); break;
    case hipDeviceAttributeL2CacheSize: *pi = 8 << 20; break;
    case hipDeviceAttributeMaxThreadsPerBlock: *pi = 1024; break;
    case hipDeviceAttributeMaxBlockDimX:
    case hipDeviceAttributeMaxBlockDimY:
    case hipDeviceAttributeMaxBlockDimZ: *pi = 1024; break;
    case hipDeviceAttributeMaxGridDimX:
    case hipDeviceAttributeMaxGridDimY:
    case hipDeviceAttributeMaxGridDimZ: *pi = 2147483647; break;
    case hipDeviceAttributeIntegrated: *pi = 0; break;
    case hipDeviceAttributeCanMapHostMemory: *pi = 1; break;
    case hipDeviceAttributeStreamPrioritiesSupported: *pi = 1; break;
    case hipDeviceAttributeWarpSize: *pi = found->arch.rfind("gfx10", 0) == 0 ? 32 : 64; break;
    default: return hipErrorInvalidValue;
  }
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipDeviceGetPCIBusId(char* pciBusId, int len, int device) {
  FAKE_HIP_ENTER_INITIALIZED("hipDeviceGetPCIBusId");
  Device* found = nullptr;
  if (const hipError_t error = RequireDevice(device, &found)) return error;
  if (pciBusId == nullptr || len <= 0) return hipErrorInvalidValue;
  std::snprintf(pciBusId, static_cast<size_t>(len), "0000:%02x:00.0", 0xc1 + device);
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipGetDeviceProperties(hipDeviceProp_t* prop, int deviceId) {
  FAKE_HIP_ENTER_INITIALIZED("hipGetDeviceProperties");
  Device* found = nullptr;
  if (const hipError_t error = RequireDevice(deviceId, &found)) return error;
  if (prop == nullptr) return hipErrorInvalidValue;
  // ROCm 5's layout (hipDeviceProp_tR0000), the one this library exports
  // under the plain name.
  *prop = hipDeviceProp_t{};
  std::snprintf(prop->name, sizeof(prop->name), "hal fake HIP device %d (test double)", deviceId);
  std::snprintf(prop->gcnArchName, sizeof(prop->gcnArchName), "%s", found->arch.c_str());
  prop->totalGlobalMem = found->memory->capacity();
  prop->multiProcessorCount = static_cast<int>(found->cus);
  prop->maxThreadsPerBlock = 1024;
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipSetDevice(int deviceId) {
  FAKE_HIP_ENTER_INITIALIZED("hipSetDevice");
  Device* found = nullptr;
  if (const hipError_t error = RequireDevice(deviceId, &found)) return error;
  hal::fake::hip::CurrentDevice() = deviceId;
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipDeviceGetStreamPriorityRange(int* leastPriority,
                                                           int* greatestPriority) {
  FAKE_HIP_ENTER_INITIALIZED("hipDeviceGetStreamPriorityRange");
  if (leastPriority != nullptr) *leastPriority = 0;
  if (greatestPriority != nullptr) *greatestPriority = -1;
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipDevicePrimaryCtxRetain(hipCtx_t* pctx, hipDevice_t dev) {
  FAKE_HIP_ENTER_INITIALIZED("hipDevicePrimaryCtxRetain");
  Device* found = nullptr;
  if (const hipError_t error = RequireDevice(dev, &found)) return error;
  if (pctx == nullptr) return hipErrorInvalidValue;
  std::lock_guard lock(Fake().mutex);
  ++found->primary.retains;
  *pctx = &found->primary;
  return hipSuccess;
}

FAKE_HIP_EXPORT hipError_t hipDevicePrimaryCtxRelease(hipDevice_t dev) {
  FAKE_HIP_ENTER_INITIALIZED("hipDevicePrimaryCtxRelease");
  Device* found = nullptr;
  if (const hipError_t error = RequireDevice(dev, &found)) return error;
  std::lock_guard lock(Fake().mutex);
  if (found->primary.retains == 0) return hipErrorInvalidContext;  // released more than retained
  --found->primary.retains;
  return hipSuccess;
}
