// Devices: every CUDA device with its properties (name, UUID, compute
// capability as "sm_XY", SMs, memory, L2, limits, PCI bus id), the kernel
// formats it runs and its optional capabilities; primary contexts.
#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "backends/cuda/cuda_errors.h"
#include "backends/cuda/cuda_state.h"
#include "backends/cuda/cuda_vendor.h"
#include "backends/gpu_core/device_facts.h"
#include "backends/gpu_core/driver_error.h"
#include "backends/gpu_core/image_formats.h"

namespace hal::cuda {
namespace {

// cuEventElapsedTime's resolution, as its documentation gives it.
constexpr uint64_t kTimestampResolutionNs = 500;

// Reads the attributes and names of `device` into its properties.
class PropertyReader {
 public:
  explicit PropertyReader(CudaDevice& device) : device_(device), props_(device.properties) {}

  hal_result Read() {
    const CUdevice dev = device_.device;
    gpu::DeviceFacts facts;
    facts.vendor = "NVIDIA";
    facts.timestamp_resolution_ns = kTimestampResolutionNs;
    char name[HAL_DEVICE_NAME_SIZE] = "";
    if (const hal_result r = HAL_CU(nullptr, cuDeviceGetName, name, sizeof(name), dev)) return r;
    facts.name = name;
    props_.type = HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES;
    std::memcpy(props_.name, name, sizeof(props_.name));  // for the unusable list
    CUuuid uuid{};
    if (const hal_result r = HAL_CU(nullptr, cuDeviceGetUuid, &uuid, dev)) return r;
    static_assert(sizeof(uuid.bytes) == sizeof(facts.uuid));
    std::memcpy(facts.uuid, uuid.bytes, sizeof(facts.uuid));
    size_t total = 0;
    if (const hal_result r = HAL_CU(nullptr, cuDeviceTotalMem, &total, dev)) return r;
    facts.total_memory_bytes = total;

    int major = 0, minor = 0, integrated = 0, map_host = 0, priorities = 0, vmm = 0;
    const std::pair<CUdevice_attribute, int*> attributes[] = {
        {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, &major},
        {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, &minor},
        {CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, &facts.compute_units},
        {CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE, &facts.l2_cache_bytes},
        {CU_DEVICE_ATTRIBUTE_INTEGRATED, &integrated},
        {CU_DEVICE_ATTRIBUTE_CAN_MAP_HOST_MEMORY, &map_host},
        {CU_DEVICE_ATTRIBUTE_STREAM_PRIORITIES_SUPPORTED, &priorities},
        {CU_DEVICE_ATTRIBUTE_VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED, &vmm},
        {CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK, &facts.max_threads_per_block},
        {CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X, &facts.max_block[0]},
        {CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y, &facts.max_block[1]},
        {CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z, &facts.max_block[2]},
        {CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X, &facts.max_grid[0]},
        {CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y, &facts.max_grid[1]},
        {CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z, &facts.max_grid[2]},
    };
    for (const auto& [attribute, value] : attributes) {
      if (const hal_result r = HAL_CU(nullptr, cuDeviceGetAttribute, value, attribute, dev)) {
        return r;
      }
    }
    facts.architecture = "sm_" + std::to_string(major * 10 + minor);
    facts.kernel_formats = gpu::NvidiaKernelFormats(facts.architecture);
    char bus_id[HAL_DEVICE_PCI_BUS_ID_SIZE] = "";
    if (const hal_result r = HAL_CU(nullptr, cuDeviceGetPCIBusId, bus_id, sizeof(bus_id), dev)) {
      return r;
    }
    facts.pci_bus_id = bus_id;
    facts.integrated = integrated != 0;
    facts.stream_priorities = priorities != 0;
    gpu::FillDeviceProperties(facts, &props_);
    device_.can_map_host_memory = map_host != 0;
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
    device_.partitions =
        std::make_unique<gpu::PartitionLedger>(resource.sm.smCount, props_.partition_alignment);
    return HAL_SUCCESS;
  }

  CudaDevice& device_;
  hal_device_properties& props_;
};

}  // namespace

hal_result CudaVendor::DeviceCount(int* out_count) {
  return HAL_CU(nullptr, cuDeviceGetCount, out_count);
}

hal_result CudaVendor::OpenDevice(int ordinal, std::unique_ptr<Device>* out_device) {
  auto device = std::make_unique<CudaDevice>();
  device->ordinal = ordinal;
  hal_result result = HAL_CU(nullptr, cuDeviceGet, &device->device, ordinal);
  if (result == HAL_SUCCESS) result = PropertyReader(*device).Read();
  *out_device = std::move(device);
  return result;
}

hal_result CudaVendor::MemoryInfo(Device& device, uint64_t* out_free, uint64_t* out_total) {
  CUcontext context = nullptr;
  if (const hal_result r = RetainPrimary(static_cast<CudaDevice&>(device), &context)) return r;
  if (const hal_result r = HAL_CU(nullptr, cuCtxPushCurrent, context)) return r;
  size_t free_bytes = 0, total_bytes = 0;
  const hal_result result = HAL_CU(nullptr, cuMemGetInfo, &free_bytes, &total_bytes);
  CUcontext popped = nullptr;
  Api().cuCtxPopCurrent(&popped);
  *out_free = free_bytes;
  *out_total = total_bytes;
  return result;
}

void CudaVendor::Unload(std::span<const std::unique_ptr<Device>> devices) {
  for (const auto& base : devices) {
    auto& device = static_cast<CudaDevice&>(*base);
    std::lock_guard lock(device.primary_mutex);
    if (device.primary != nullptr) Api().cuDevicePrimaryCtxRelease(device.device);
    device.primary = nullptr;
  }
  MutableApi() = CudaApi{};
}

hal_result RetainPrimary(CudaDevice& device, CUcontext* out_context) {
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

}  // namespace hal::cuda
