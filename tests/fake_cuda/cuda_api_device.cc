// Initialization, versions, error names, devices and contexts.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "tests/fake_cuda/cuda_errors.h"
#include "tests/fake_cuda/entry_points.h"
#include "tests/fake_cuda/fake_cuda_state.h"

namespace hal::fake::cuda {
namespace {

CUresult CUDAAPI Init(unsigned int flags) {
  FAKE_CU_ENTER("cuInit");
  if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
  State& state = Fake();
  bool configure_from_environment = false;
  {
    std::lock_guard lock(state.mutex);
    configure_from_environment = !state.configured;
  }
  if (configure_from_environment) {
    const char* config = std::getenv("HAL_FAKE_CUDA_CONFIG");
    state.Configure(config ? config : "");
  }
  std::lock_guard lock(state.mutex);
  if (state.init_error != CUDA_SUCCESS) return static_cast<CUresult>(state.init_error);
  state.initialized = true;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI DriverGetVersion(int* version) {
  FAKE_CU_ENTER("cuDriverGetVersion");
  if (version == nullptr) return CUDA_ERROR_INVALID_VALUE;
  *version = CUDA_VERSION;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI GetErrorName(CUresult error, const char** name) {
  FAKE_CU_ENTER("cuGetErrorName");
  if (name == nullptr) return CUDA_ERROR_INVALID_VALUE;
  *name = ErrorName(error);
  return *name == nullptr ? CUDA_ERROR_INVALID_VALUE : CUDA_SUCCESS;
}

CUresult CUDAAPI GetErrorString(CUresult error, const char** text) {
  FAKE_CU_ENTER("cuGetErrorString");
  if (text == nullptr) return CUDA_ERROR_INVALID_VALUE;
  *text = ErrorDescription(error);
  return *text == nullptr ? CUDA_ERROR_INVALID_VALUE : CUDA_SUCCESS;
}

CUresult CUDAAPI DeviceGetCount(int* count) {
  FAKE_CU_ENTER_INITIALIZED("cuDeviceGetCount");
  if (count == nullptr) return CUDA_ERROR_INVALID_VALUE;
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  *count = static_cast<int>(state.devices.size());
  return CUDA_SUCCESS;
}

CUresult CUDAAPI DeviceGet(CUdevice* device, int ordinal) {
  FAKE_CU_ENTER_INITIALIZED("cuDeviceGet");
  if (device == nullptr) return CUDA_ERROR_INVALID_VALUE;
  if (DeviceAt(ordinal) == nullptr) return CUDA_ERROR_INVALID_DEVICE;
  *device = ordinal;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI DeviceGetName(char* name, int length, CUdevice ordinal) {
  FAKE_CU_ENTER_INITIALIZED("cuDeviceGetName");
  const Device* device = DeviceAt(ordinal);
  if (device == nullptr) return CUDA_ERROR_INVALID_DEVICE;
  if (name == nullptr || length <= 0) return CUDA_ERROR_INVALID_VALUE;
  // Never passes for hardware: the name says what it is.
  std::snprintf(name, static_cast<size_t>(length), "hal fake CUDA device %d (sm_%d%d, test double)",
                ordinal, device->major, device->minor);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI DeviceGetUuid(CUuuid* uuid, CUdevice ordinal) {
  FAKE_CU_ENTER_INITIALIZED("cuDeviceGetUuid");
  if (DeviceAt(ordinal) == nullptr) return CUDA_ERROR_INVALID_DEVICE;
  if (uuid == nullptr) return CUDA_ERROR_INVALID_VALUE;
  static constexpr char kPrefix[] = "hal-fake-cuda-";
  std::memset(uuid->bytes, 0, sizeof(uuid->bytes));
  std::memcpy(uuid->bytes, kPrefix, sizeof(kPrefix) - 1);
  uuid->bytes[15] = static_cast<char>(ordinal);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI DeviceTotalMem(size_t* bytes, CUdevice ordinal) {
  FAKE_CU_ENTER_INITIALIZED("cuDeviceTotalMem");
  const Device* device = DeviceAt(ordinal);
  if (device == nullptr) return CUDA_ERROR_INVALID_DEVICE;
  if (bytes == nullptr) return CUDA_ERROR_INVALID_VALUE;
  *bytes = device->memory->capacity();
  return CUDA_SUCCESS;
}

int PciBus(const Device& device) { return 0x10 + device.ordinal; }

CUresult CUDAAPI DeviceGetAttribute(int* value, CUdevice_attribute attribute, CUdevice ordinal) {
  FAKE_CU_ENTER_INITIALIZED("cuDeviceGetAttribute");
  const Device* device = DeviceAt(ordinal);
  if (device == nullptr) return CUDA_ERROR_INVALID_DEVICE;
  if (value == nullptr) return CUDA_ERROR_INVALID_VALUE;
  switch (attribute) {
    case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: *value = device->major; break;
    case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: *value = device->minor; break;
    case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: *value = static_cast<int>(device->sms); break;
    case CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE: *value = 50 << 20; break;
    case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK: *value = 1024; break;
    case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X: *value = 1024; break;
    case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y: *value = 1024; break;
    case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z: *value = 64; break;
    case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X: *value = 2147483647; break;
    case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y: *value = 65535; break;
    case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z: *value = 65535; break;
    case CU_DEVICE_ATTRIBUTE_TEXTURE_ALIGNMENT: *value = 512; break;
    case CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID: *value = 0; break;
    case CU_DEVICE_ATTRIBUTE_PCI_BUS_ID: *value = PciBus(*device); break;
    case CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID: *value = 0; break;
    case CU_DEVICE_ATTRIBUTE_INTEGRATED: *value = 0; break;
    case CU_DEVICE_ATTRIBUTE_CAN_MAP_HOST_MEMORY: *value = 1; break;
    case CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING: *value = 1; break;
    case CU_DEVICE_ATTRIBUTE_VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED: *value = device->vmm; break;
    case CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED: *value = 0; break;
    case CU_DEVICE_ATTRIBUTE_STREAM_PRIORITIES_SUPPORTED: *value = 1; break;
    case CU_DEVICE_ATTRIBUTE_CONCURRENT_KERNELS: *value = 1; break;
    case CU_DEVICE_ATTRIBUTE_ASYNC_ENGINE_COUNT: *value = 2; break;
    default: return CUDA_ERROR_INVALID_VALUE;
  }
  return CUDA_SUCCESS;
}

CUresult CUDAAPI DeviceGetPCIBusId(char* bus_id, int length, CUdevice ordinal) {
  FAKE_CU_ENTER_INITIALIZED("cuDeviceGetPCIBusId");
  const Device* device = DeviceAt(ordinal);
  if (device == nullptr) return CUDA_ERROR_INVALID_DEVICE;
  if (bus_id == nullptr || length <= 0) return CUDA_ERROR_INVALID_VALUE;
  std::snprintf(bus_id, static_cast<size_t>(length), "0000:%02x:00.0", PciBus(*device));
  return CUDA_SUCCESS;
}

CUresult CUDAAPI DevicePrimaryCtxRetain(CUcontext* context, CUdevice ordinal) {
  FAKE_CU_ENTER_INITIALIZED("cuDevicePrimaryCtxRetain");
  Device* device = DeviceAt(ordinal);
  if (device == nullptr) return CUDA_ERROR_INVALID_DEVICE;
  if (context == nullptr) return CUDA_ERROR_INVALID_VALUE;
  std::lock_guard lock(Fake().mutex);
  ++device->primary.retain_count;
  *context = &device->primary;
  return CUDA_SUCCESS;
}

CUresult CUDAAPI DevicePrimaryCtxRelease(CUdevice ordinal) {
  FAKE_CU_ENTER_INITIALIZED("cuDevicePrimaryCtxRelease");
  Device* device = DeviceAt(ordinal);
  if (device == nullptr) return CUDA_ERROR_INVALID_DEVICE;
  std::lock_guard lock(Fake().mutex);
  if (device->primary.retain_count == 0) return CUDA_ERROR_INVALID_CONTEXT;
  --device->primary.retain_count;
  return CUDA_SUCCESS;
}

// Whether `context` is a live context of this fake.
bool LiveContext(CUcontext context) {
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  for (const auto& device : state.devices) {
    if (&device->primary == context) return true;
  }
  for (const auto& [key, green] : state.green_contexts) {
    if (&green->context == context) return true;
  }
  return false;
}

CUresult CUDAAPI CtxPushCurrent(CUcontext context) {
  FAKE_CU_ENTER_INITIALIZED("cuCtxPushCurrent");
  if (!LiveContext(context)) return CUDA_ERROR_INVALID_CONTEXT;
  ContextStack().push_back(context);
  return CUDA_SUCCESS;
}

CUresult CUDAAPI CtxPopCurrent(CUcontext* context) {
  FAKE_CU_ENTER_INITIALIZED("cuCtxPopCurrent");
  std::vector<CUctx_st*>& stack = ContextStack();
  if (stack.empty()) return CUDA_ERROR_INVALID_CONTEXT;
  if (context != nullptr) *context = stack.back();
  stack.pop_back();
  return CUDA_SUCCESS;
}

CUresult CUDAAPI CtxSetCurrent(CUcontext context) {
  FAKE_CU_ENTER_INITIALIZED("cuCtxSetCurrent");
  std::vector<CUctx_st*>& stack = ContextStack();
  if (context == nullptr) {
    if (!stack.empty()) stack.pop_back();
    return CUDA_SUCCESS;
  }
  if (!LiveContext(context)) return CUDA_ERROR_INVALID_CONTEXT;
  if (stack.empty()) {
    stack.push_back(context);
  } else {
    stack.back() = context;
  }
  return CUDA_SUCCESS;
}

CUresult CUDAAPI CtxGetStreamPriorityRange(int* least, int* greatest) {
  FAKE_CU_ENTER_INITIALIZED("cuCtxGetStreamPriorityRange");
  if (CurrentContext() == nullptr) return CUDA_ERROR_INVALID_CONTEXT;
  if (least != nullptr) *least = 0;
  if (greatest != nullptr) *greatest = -5;
  return CUDA_SUCCESS;
}

}  // namespace

std::vector<EntryPoint> DeviceEntryPoints() {
  return {
      {"cuInit", 2000, AsEntry(&Init)},
      {"cuDriverGetVersion", 2020, AsEntry(&DriverGetVersion)},
      {"cuGetErrorName", 6000, AsEntry(&GetErrorName)},
      {"cuGetErrorString", 6000, AsEntry(&GetErrorString)},
      {"cuDeviceGetCount", 2000, AsEntry(&DeviceGetCount)},
      {"cuDeviceGet", 2000, AsEntry(&DeviceGet)},
      {"cuDeviceGetName", 2000, AsEntry(&DeviceGetName)},
      LegacyEntry<&DeviceGetUuid>("cuDeviceGetUuid"),
      {"cuDeviceGetUuid", 11040, AsEntry(&DeviceGetUuid)},
      LegacyEntry<&DeviceTotalMem>("cuDeviceTotalMem"),
      {"cuDeviceTotalMem", 3020, AsEntry(&DeviceTotalMem)},
      {"cuDeviceGetAttribute", 2000, AsEntry(&DeviceGetAttribute)},
      {"cuDeviceGetPCIBusId", 4010, AsEntry(&DeviceGetPCIBusId)},
      {"cuDevicePrimaryCtxRetain", 7000, AsEntry(&DevicePrimaryCtxRetain)},
      LegacyEntry<&DevicePrimaryCtxRelease>("cuDevicePrimaryCtxRelease"),
      {"cuDevicePrimaryCtxRelease", 11000, AsEntry(&DevicePrimaryCtxRelease)},
      LegacyEntry<&CtxPushCurrent>("cuCtxPushCurrent"),
      {"cuCtxPushCurrent", 4000, AsEntry(&CtxPushCurrent)},
      LegacyEntry<&CtxPopCurrent>("cuCtxPopCurrent"),
      {"cuCtxPopCurrent", 4000, AsEntry(&CtxPopCurrent)},
      {"cuCtxSetCurrent", 4000, AsEntry(&CtxSetCurrent)},
      {"cuCtxGetStreamPriorityRange", 5050, AsEntry(&CtxGetStreamPriorityRange)},
  };
}

}  // namespace hal::fake::cuda
