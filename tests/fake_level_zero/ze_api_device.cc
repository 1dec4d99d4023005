// zeInit, the driver, its devices and sub-devices, and the one context.
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "tests/fake_level_zero/fake_ze_api.h"
#include "tests/fake_level_zero/fake_ze_state.h"

namespace hal::fake::level_zero::api {
namespace {

constexpr uint32_t kEusPerSubslice = 8;
constexpr uint32_t kMaxGroupSize = 1024;

// Writes up to *count handles (all of them when `out` is null, *count set).
template <typename Handle>
ze_result_t ListHandles(const std::vector<Handle>& handles, uint32_t* count, Handle* out) {
  if (count == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  if (out == nullptr || *count == 0) {
    *count = static_cast<uint32_t>(handles.size());
    return ZE_RESULT_SUCCESS;
  }
  *count = std::min(*count, static_cast<uint32_t>(handles.size()));
  std::copy_n(handles.begin(), *count, out);
  return ZE_RESULT_SUCCESS;
}

}  // namespace

ze_result_t ZE_APICALL Init(ze_init_flags_t flags) {
  if (const auto injected = Fake().ledger.OnCall("zeInit")) {
    return static_cast<ze_result_t>(*injected);
  }
  if (flags != 0 && (flags & ZE_INIT_FLAG_GPU_ONLY) == 0) return ZE_RESULT_ERROR_UNINITIALIZED;
  return Fake().Initialize();
}

ze_result_t ZE_APICALL DriverGet(uint32_t* count, ze_driver_handle_t* drivers) {
  FAKE_ZE_ENTER("zeDriverGet");
  return ListHandles(std::vector<ze_driver_handle_t>{&Fake().driver}, count, drivers);
}

ze_result_t ZE_APICALL DriverGetApiVersion(ze_driver_handle_t driver, ze_api_version_t* version) {
  FAKE_ZE_ENTER("zeDriverGetApiVersion");
  if (driver != &Fake().driver) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  if (version == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  *version = ZE_API_VERSION_1_4;
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL DriverGetProperties(ze_driver_handle_t driver,
                                           ze_driver_properties_t* properties) {
  FAKE_ZE_ENTER("zeDriverGetProperties");
  if (driver != &Fake().driver) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  if (properties == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  std::memset(&properties->uuid, 0, sizeof(properties->uuid));
  std::memcpy(properties->uuid.id, "hal-fake-ze", 11);
  properties->driverVersion = 1;
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL DeviceGet(ze_driver_handle_t driver, uint32_t* count,
                                 ze_device_handle_t* devices) {
  FAKE_ZE_ENTER("zeDeviceGet");
  if (driver != &Fake().driver) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  std::vector<ze_device_handle_t> handles;
  for (const auto& device : Fake().devices) handles.push_back(device.get());
  return ListHandles(handles, count, devices);
}

ze_result_t ZE_APICALL DeviceGetSubDevices(ze_device_handle_t device, uint32_t* count,
                                           ze_device_handle_t* subdevices) {
  FAKE_ZE_ENTER("zeDeviceGetSubDevices");
  if (!IsDevice(device)) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  std::vector<ze_device_handle_t> handles;
  for (const auto& sub : device->subdevices) handles.push_back(sub.get());
  return ListHandles(handles, count, subdevices);
}

ze_result_t ZE_APICALL DeviceGetProperties(ze_device_handle_t device,
                                           ze_device_properties_t* properties) {
  FAKE_ZE_ENTER("zeDeviceGetProperties");
  if (!IsDevice(device)) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  if (properties == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  properties->type = ZE_DEVICE_TYPE_GPU;
  properties->vendorId = 0x8086;
  properties->deviceId = 0x0bd5;
  properties->flags = device->subdevice_index >= 0 ? ZE_DEVICE_PROPERTY_FLAG_SUBDEVICE : 0;
  properties->subdeviceId = device->subdevice_index >= 0 ? device->subdevice_index : 0;
  properties->coreClockRate = 1600;
  properties->maxMemAllocSize = device->memory->capacity();
  properties->maxHardwareContexts = 64;
  properties->maxCommandQueuePriority = 2;
  properties->numThreadsPerEU = 8;
  properties->physicalEUSimdWidth = 16;
  properties->numEUsPerSubslice = kEusPerSubslice;
  properties->numSubslicesPerSlice = device->eus / kEusPerSubslice;
  properties->numSlices = 1;
  properties->timerResolution = kTimerResolutionNs;
  properties->timestampValidBits = 64;
  properties->kernelTimestampValidBits = 32;
  std::memset(&properties->uuid, 0, sizeof(properties->uuid));
  properties->uuid.id[0] = 0x8e;
  properties->uuid.id[1] = static_cast<uint8_t>(device->ordinal);
  properties->uuid.id[2] = static_cast<uint8_t>(device->subdevice_index + 1);
  if (device->subdevice_index >= 0) {
    std::snprintf(properties->name, sizeof(properties->name), "hal fake Level Zero GPU %u.%d",
                  device->ordinal, device->subdevice_index);
  } else {
    std::snprintf(properties->name, sizeof(properties->name), "hal fake Level Zero GPU %u",
                  device->ordinal);
  }
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL DeviceGetComputeProperties(ze_device_handle_t device,
                                                  ze_device_compute_properties_t* properties) {
  FAKE_ZE_ENTER("zeDeviceGetComputeProperties");
  if (!IsDevice(device)) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  if (properties == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  properties->maxTotalGroupSize = kMaxGroupSize;
  properties->maxGroupSizeX = kMaxGroupSize;
  properties->maxGroupSizeY = kMaxGroupSize;
  properties->maxGroupSizeZ = 64;
  properties->maxGroupCountX = 0xffffffffu;
  properties->maxGroupCountY = 0xffffffffu;
  properties->maxGroupCountZ = 0xffffffffu;
  properties->maxSharedLocalMemory = 64 << 10;
  properties->numSubGroupSizes = 2;
  properties->subGroupSizes[0] = 16;
  properties->subGroupSizes[1] = 32;
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL DeviceGetMemoryProperties(ze_device_handle_t device, uint32_t* count,
                                                 ze_device_memory_properties_t* properties) {
  FAKE_ZE_ENTER("zeDeviceGetMemoryProperties");
  if (!IsDevice(device)) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  if (count == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  if (properties == nullptr || *count == 0) {
    *count = 1;
    return ZE_RESULT_SUCCESS;
  }
  *count = 1;
  properties->flags = 0;
  properties->maxClockRate = 1000;
  properties->maxBusWidth = 4096;
  properties->totalSize = device->memory->capacity();
  std::snprintf(properties->name, sizeof(properties->name), "HBM");
  return ZE_RESULT_SUCCESS;
}

// Group 0 copies only, group 1 computes (so a driver must look for the
// compute flag rather than take the first group).
ze_result_t ZE_APICALL DeviceGetCommandQueueGroupProperties(
    ze_device_handle_t device, uint32_t* count, ze_command_queue_group_properties_t* properties) {
  FAKE_ZE_ENTER("zeDeviceGetCommandQueueGroupProperties");
  if (!IsDevice(device)) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  if (count == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  if (properties == nullptr || *count == 0) {
    *count = 2;
    return ZE_RESULT_SUCCESS;
  }
  const ze_command_queue_group_property_flags_t flags[] = {
      ZE_COMMAND_QUEUE_GROUP_PROPERTY_FLAG_COPY,
      ZE_COMMAND_QUEUE_GROUP_PROPERTY_FLAG_COMPUTE | ZE_COMMAND_QUEUE_GROUP_PROPERTY_FLAG_COPY};
  *count = std::min<uint32_t>(*count, 2);
  for (uint32_t i = 0; i < *count; ++i) {
    properties[i].flags = flags[i];
    properties[i].maxMemoryFillPatternSize = 128;
    properties[i].numQueues = 4;
  }
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL ContextCreate(ze_driver_handle_t driver, const ze_context_desc_t* desc,
                                     ze_context_handle_t* context) {
  FAKE_ZE_ENTER("zeContextCreate");
  State& state = Fake();
  if (driver != &state.driver) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  if (desc == nullptr || context == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  std::lock_guard lock(state.mutex);
  if (state.context_live) {
    state.ledger.RecordViolation("zeContextCreate: the fake holds one context at a time");
    return ZE_RESULT_ERROR_UNSUPPORTED_FEATURE;
  }
  state.context_live = true;
  *context = &state.context;
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL ContextDestroy(ze_context_handle_t context) {
  FAKE_ZE_ENTER("zeContextDestroy");
  State& state = Fake();
  std::lock_guard lock(state.mutex);
  if (context != &state.context || !state.context_live) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  state.context_live = false;
  return ZE_RESULT_SUCCESS;
}

}  // namespace hal::fake::level_zero::api
