#include "backends/cuda/cuda_device.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <string>

#include "backends/cuda/cuda_errors.h"
#include "backends/gpu_core/driver_error.h"
#include "backends/gpu_core/image_formats.h"

namespace hal::cuda {
namespace {

// cuEventElapsedTime's resolution, as its documentation gives it.
constexpr uint64_t kTimestampResolutionNs = 500;
// cuMemAlloc aligns every allocation to at least 256 bytes.
constexpr uint64_t kMinBufferAlignment = 256;
// Bindings are passed as pointers; 16 keeps the widest vector loads aligned.
constexpr uint64_t kBindingOffsetAlignment = 16;
constexpr uint64_t kAllocationGranularity = 512;

void CopyString(char* destination, size_t size, const std::string& source) {
  const size_t length = std::min(source.size(), size - 1);
  std::memcpy(destination, source.data(), length);
  destination[length] = '\0';
}

// Reads the attributes and names of `device` into its properties.
class PropertyReader {
 public:
  explicit PropertyReader(Device& device) : device_(device), props_(device.properties) {}

  hal_result Read() {
    const CUdevice dev = device_.device;
    props_.type = HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES;
    char name[HAL_DEVICE_NAME_SIZE] = "";
    if (const hal_result r = HAL_CU(nullptr, cuDeviceGetName, name, sizeof(name), dev)) return r;
    CopyString(props_.name, sizeof(props_.name), name);
    CopyString(props_.vendor, sizeof(props_.vendor), "NVIDIA");
    CUuuid uuid{};
    if (const hal_result r = HAL_CU(nullptr, cuDeviceGetUuid, &uuid, dev)) return r;
    static_assert(sizeof(uuid.bytes) == sizeof(props_.uuid));
    std::memcpy(props_.uuid, uuid.bytes, sizeof(props_.uuid));
    size_t total = 0;
    if (const hal_result r = HAL_CU(nullptr, cuDeviceTotalMem, &total, dev)) return r;
    props_.total_memory_bytes = total;

    int major = 0, minor = 0, sms = 0, l2 = 0, integrated = 0, map_host = 0;
    int priorities = 0, vmm = 0, threads = 0;
    int block[3] = {}, grid[3] = {};
    const std::pair<CUdevice_attribute, int*> attributes[] = {
        {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, &major},
        {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, &minor},
        {CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, &sms},
        {CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE, &l2},
        {CU_DEVICE_ATTRIBUTE_INTEGRATED, &integrated},
        {CU_DEVICE_ATTRIBUTE_CAN_MAP_HOST_MEMORY, &map_host},
        {CU_DEVICE_ATTRIBUTE_STREAM_PRIORITIES_SUPPORTED, &priorities},
        {CU_DEVICE_ATTRIBUTE_VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED, &vmm},
        {CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK, &threads},
        {CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X, &block[0]},
        {CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y, &block[1]},
        {CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z, &block[2]},
        {CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X, &grid[0]},
        {CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y, &grid[1]},
        {CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z, &grid[2]},
    };
    for (const auto& [attribute, value] : attributes) {
      if (const hal_result r = HAL_CU(nullptr, cuDeviceGetAttribute, value, attribute, dev)) {
        return r;
      }
    }
    const std::string architecture = "sm_" + std::to_string(major * 10 + minor);
    CopyString(props_.architecture, sizeof(props_.architecture), architecture);
    CopyString(props_.kernel_formats, sizeof(props_.kernel_formats),
               gpu::NvidiaKernelFormats(architecture));
    char bus_id[HAL_DEVICE_PCI_BUS_ID_SIZE] = "";
    if (const hal_result r = HAL_CU(nullptr, cuDeviceGetPCIBusId, bus_id, sizeof(bus_id), dev)) {
      return r;
    }
    std::transform(bus_id, bus_id + std::strlen(bus_id), bus_id,
                   [](char c) { return static_cast<char>(std::tolower(c)); });
    CopyString(props_.pci_bus_id, sizeof(props_.pci_bus_id), bus_id);

    props_.device_type = integrated ? HAL_DEVICE_TYPE_INTEGRATED_GPU : HAL_DEVICE_TYPE_DISCRETE_GPU;
    props_.l2_cache_bytes = static_cast<uint64_t>(l2);
    props_.compute_units = static_cast<uint32_t>(sms);
    for (int i = 0; i < 3; ++i) {
      props_.max_workgroup_size[i] = static_cast<uint32_t>(block[i]);
      props_.max_workgroup_count[i] = static_cast<uint32_t>(grid[i]);
    }
    props_.max_workgroup_invocations = static_cast<uint32_t>(threads);
    props_.min_buffer_alignment = kMinBufferAlignment;
    props_.binding_offset_alignment = kBindingOffsetAlignment;
    props_.allocation_granularity = kAllocationGranularity;
    props_.timestamp_resolution_ns = kTimestampResolutionNs;
    props_.device_buffers_mappable = 0;
    device_.can_map_host_memory = map_host != 0;

    props_.capabilities = HAL_CAPABILITY_DEVICE_ADDRESS | HAL_CAPABILITY_HOST_REGISTRATION |
                          HAL_CAPABILITY_NATIVE_HANDLES | HAL_CAPABILITY_MEMORY_CACHE;
    if (priorities) props_.capabilities |= HAL_CAPABILITY_STREAM_PRIORITY;
    if (vmm == 1 && Api().has_virtual_memory) {
      if (const hal_result r = ReadVirtualMemoryGranularity()) return r;
      props_.capabilities |= HAL_CAPABILITY_VIRTUAL_MEMORY;
    }
    return ReadPartitions();
  }

 private:
  hal_result ReadVirtualMemoryGranularity() {
    CUmemAllocationProp prop{};
    prop.type = CU_MEM_ALLOCATION_TYPE_PINNED;
    prop.location.type = CU_MEM_LOCATION_TYPE_DEVICE;
    prop.location.id = device_.device;
    size_t granularity = 0;
    if (const hal_result r = HAL_CU(nullptr, cuMemGetAllocationGranularity, &granularity, &prop,
                                    CU_MEM_ALLOC_GRANULARITY_MINIMUM)) {
      return r;
    }
    props_.virtual_memory_granularity = granularity;
    return HAL_SUCCESS;
  }

  // Green contexts split SMs; without them the runtime time-slices.
  hal_result ReadPartitions() {
    props_.partition_max_units = props_.compute_units;
    props_.partition_kind = HAL_PARTITION_NONE;
    props_.partition_alignment = 1;
    if (!Api().has_green_contexts) return HAL_SUCCESS;
    CUdevResource resource{};
    const CUresult result =
        Api().cuDeviceGetDevResource(device_.device, &resource, CU_DEV_RESOURCE_TYPE_SM);
    if (result == CUDA_ERROR_NOT_SUPPORTED) return HAL_SUCCESS;  // no green contexts here
    if (const hal_result r = Check(result, "cuDeviceGetDevResource")) return r;
    device_.sm_resource = resource.sm;
    props_.partition_kind = HAL_PARTITION_SM;
    props_.partition_min_units = resource.sm.minSmPartitionSize;
    props_.partition_alignment = std::max(resource.sm.smCoscheduledAlignment, 1u);
    props_.partition_max_units = resource.sm.smCount;
    device_.partitions = std::make_unique<gpu::PartitionLedger>(resource.sm.smCount,
                                                                props_.partition_alignment);
    return HAL_SUCCESS;
  }

  Device& device_;
  hal_device_properties& props_;
};

}  // namespace

hal_result EnumerateDevices() {
  DriverState& state = State();
  int count = 0;
  if (const hal_result r = HAL_CU(nullptr, cuDeviceGetCount, &count)) return r;
  std::string reasons;
  for (int ordinal = 0; ordinal < count; ++ordinal) {
    auto device = std::make_unique<Device>();
    hal_result result = HAL_CU(nullptr, cuDeviceGet, &device->device, ordinal);
    if (result == HAL_SUCCESS) result = PropertyReader(*device).Read();
    if (result == HAL_SUCCESS) {
      state.devices.push_back(std::move(device));
      continue;
    }
    const std::string name = device->properties.name[0] != '\0'
                                 ? device->properties.name
                                 : "CUDA device " + std::to_string(ordinal);
    state.unusable.push_back({name, gpu::LastErrorMessage()});
    reasons += (reasons.empty() ? "" : "; ") + name + ": " + gpu::LastErrorMessage();
  }
  if (count == 0) {
    return gpu::Fail(HAL_ERROR_UNAVAILABLE, "no CUDA device: cuDeviceGetCount found 0");
  }
  if (state.devices.empty()) {
    return gpu::Fail(HAL_ERROR_UNAVAILABLE, "no CUDA device can be served: " + reasons);
  }
  return HAL_SUCCESS;
}

hal_result RetainPrimary(Device& device, CUcontext* out_context) {
  std::lock_guard lock(device.primary_mutex);
  if (device.primary == nullptr) {
    if (const hal_result r =
            HAL_CU(nullptr, cuDevicePrimaryCtxRetain, &device.primary, device.device)) {
      return r;
    }
  }
  *out_context = device.primary;
  return HAL_SUCCESS;
}

void ReleasePrimaries() {
  for (const auto& device : State().devices) {
    std::lock_guard lock(device->primary_mutex);
    if (device->primary != nullptr) Api().cuDevicePrimaryCtxRelease(device->device);
    device->primary = nullptr;
  }
}

}  // namespace hal::cuda
