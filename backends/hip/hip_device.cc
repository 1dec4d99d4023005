// Devices: every HIP device with its properties through
// hipDeviceGetAttribute (name, UUID, CUs, memory, L2, limits, PCI bus id),
// its target ID (gcnArchName) for the kernel formats it runs, CU-mask
// partitions and virtual memory where the runtime has them.
#include <cstddef>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "backends/gpu_core/device_facts.h"
#include "backends/gpu_core/driver_error.h"
#include "backends/gpu_core/image_formats.h"
#include "backends/gpu_core/partitions.h"
#include "backends/hip/hip_api.h"
#include "backends/hip/hip_errors.h"
#include "backends/hip/hip_vendor.h"

namespace hal::hip {
namespace {

// hipEventElapsedTime's resolution: about a microsecond, as HIP documents it.
constexpr uint64_t kTimestampResolutionNs = 1000;

// hipDeviceProp_t is read for gcnArchName alone (no attribute gives the
// target ID). Its layout changed in ROCm 6, whose headers map the name to
// hipGetDevicePropertiesR0600 and a new struct; the library keeps the plain
// symbol, which this driver resolves, with ROCm 5's layout (R0000, fields
// only ever appended). So: the plain symbol, into a zeroed buffer many times
// the size of either layout, gcnArchName read at ROCm 5's offset and taken
// only as a NUL-terminated AMD target ID.
constexpr size_t kPropertiesBufferWords = 2048;  // 16 KiB
static_assert(sizeof(hipDeviceProp_t) * 4 <= kPropertiesBufferWords * sizeof(uint64_t));

hal_result ReadTargetId(int device, std::string* out_target_id) {
  std::vector<uint64_t> buffer(kPropertiesBufferWords, 0);
  if (const hal_result r = HAL_HIP(nullptr, hipGetDeviceProperties,
                                   reinterpret_cast<hipDeviceProp_t*>(buffer.data()), device)) {
    return r;
  }
  const char* name =
      reinterpret_cast<const char*>(buffer.data()) + offsetof(hipDeviceProp_t, gcnArchName);
  constexpr size_t kNameSize = sizeof(hipDeviceProp_t::gcnArchName);
  const std::string target_id(name, strnlen(name, kNameSize));
  if (target_id.size() == kNameSize || gpu::AmdProcessor(target_id).empty()) {
    return gpu::Fail(HAL_ERROR_UNSUPPORTED,
                     "hipGetDeviceProperties: gcnArchName '" + target_id.substr(0, 64) +
                         "' is not an AMD target ID (gfx<processor>[:<feature>+|-]...)");
  }
  *out_target_id = target_id;
  return HAL_SUCCESS;
}

hal_result Attribute(int device, hipDeviceAttribute_t attribute, int* value) {
  return HAL_HIP(nullptr, hipDeviceGetAttribute, value, attribute, device);
}

// The device's name (kept in its properties at once, to name it if a later
// query fails), UUID, memory and PCI bus id.
hal_result ReadIdentity(HipDevice& device, gpu::DeviceFacts* facts) {
  char name[HAL_DEVICE_NAME_SIZE] = "";
  char bus_id[HAL_DEVICE_PCI_BUS_ID_SIZE] = "";
  hipUUID uuid{};
  size_t total = 0;
  hal_result result = HAL_HIP(nullptr, hipDeviceGetName, name, sizeof(name) - 1, device.device);
  std::memcpy(device.properties.name, name, sizeof(device.properties.name));
  if (result == HAL_SUCCESS) result = HAL_HIP(nullptr, hipDeviceGetUuid, &uuid, device.device);
  if (result == HAL_SUCCESS) result = HAL_HIP(nullptr, hipDeviceTotalMem, &total, device.device);
  if (result == HAL_SUCCESS) {
    result = HAL_HIP(nullptr, hipDeviceGetPCIBusId, bus_id, sizeof(bus_id) - 1, device.device);
  }
  facts->name = name;
  facts->pci_bus_id = bus_id;
  std::memcpy(facts->uuid, uuid.bytes, sizeof(facts->uuid));
  facts->total_memory_bytes = total;
  return result;
}

// CUs, L2, limits, and the device's flags.
hal_result ReadAttributes(HipDevice& device, gpu::DeviceFacts* facts) {
  int integrated = 0, map_host = 0, priorities = 0;
  const std::pair<hipDeviceAttribute_t, int*> queries[] = {
      {hipDeviceAttributeMultiprocessorCount, &facts->compute_units},
      {hipDeviceAttributeL2CacheSize, &facts->l2_cache_bytes},
      {hipDeviceAttributeMaxThreadsPerBlock, &facts->max_threads_per_block},
      {hipDeviceAttributeIntegrated, &integrated},
      {hipDeviceAttributeCanMapHostMemory, &map_host},
      {hipDeviceAttributeStreamPrioritiesSupported, &priorities},
  };
  for (const auto& [attribute, value] : queries) {
    if (const hal_result r = Attribute(device.device, attribute, value)) return r;
  }
  // The X, Y and Z attributes of each limit follow one another.
  for (int axis = 0; axis < 3; ++axis) {
    const auto block = static_cast<hipDeviceAttribute_t>(hipDeviceAttributeMaxBlockDimX + axis);
    const auto grid = static_cast<hipDeviceAttribute_t>(hipDeviceAttributeMaxGridDimX + axis);
    if (const hal_result r = Attribute(device.device, block, &facts->max_block[axis])) return r;
    if (const hal_result r = Attribute(device.device, grid, &facts->max_grid[axis])) return r;
  }
  facts->integrated = integrated != 0;
  facts->stream_priorities = priorities != 0;
  device.can_map_host_memory = map_host != 0;
  return HAL_SUCCESS;
}

// ROCm has no attribute saying whether virtual memory works: the
// granularity query answers hipErrorNotSupported where it does not.
hal_result ReadVirtualMemory(HipDevice& device) {
  if (!Api().has_virtual_memory()) return HAL_SUCCESS;
  const hipMemAllocationProp prop = PhysicalProperties(device.device);
  size_t granularity = 0;
  const hipError_t result =
      Api().hipMemGetAllocationGranularity(&granularity, &prop, hipMemAllocationGranularityMinimum);
  if (result == hipErrorNotSupported) return HAL_SUCCESS;
  if (const hal_result r = Check(result, "hipMemGetAllocationGranularity")) return r;
  if (granularity > 0) {
    device.properties.virtual_memory_granularity = granularity;
    device.properties.capabilities |= HAL_CAPABILITY_VIRTUAL_MEMORY;
  }
  return HAL_SUCCESS;
}

// A CU mask restricts a stream to some CUs; partitions of one device take
// disjoint groups of them from its ledger.
void ReadPartitions(HipDevice& device) {
  hal_device_properties& props = device.properties;
  if (!Api().has_cu_masks() || props.compute_units == 0) return;
  const uint32_t granularity = gpu::CuMaskGranularity(props.architecture);
  props.partition_kind = HAL_PARTITION_CU_MASK;
  props.partition_min_units = granularity;
  props.partition_alignment = granularity;
  device.partitions = std::make_unique<gpu::PartitionLedger>(props.compute_units, granularity);
}

hal_result ReadDevice(HipDevice& device) {
  gpu::DeviceFacts facts;
  facts.vendor = "AMD";
  facts.timestamp_resolution_ns = kTimestampResolutionNs;
  if (const hal_result r = ReadIdentity(device, &facts)) return r;
  if (const hal_result r = ReadAttributes(device, &facts)) return r;
  if (const hal_result r = ReadTargetId(device.device, &device.target_id)) return r;
  facts.architecture = gpu::AmdProcessor(device.target_id);
  facts.kernel_formats = gpu::AmdKernelFormats(device.target_id);
  gpu::FillDeviceProperties(facts, &device.properties);
  ReadPartitions(device);
  return ReadVirtualMemory(device);
}

}  // namespace

hal_result HipVendor::OpenDevice(int ordinal, std::unique_ptr<Device>* out_device) {
  *out_device = std::make_unique<HipDevice>();
  auto& device = static_cast<HipDevice&>(**out_device);
  device.ordinal = ordinal;
  if (const hal_result r = HAL_HIP(nullptr, hipDeviceGet, &device.device, ordinal)) return r;
  return ReadDevice(device);
}

void HipVendor::Unload(std::span<const std::unique_ptr<Device>> devices) {
  for (const auto& base : devices) {
    auto& device = static_cast<HipDevice&>(*base);
    std::lock_guard lock(device.primary_mutex);
    if (device.primary != nullptr) Released(Api().hipDevicePrimaryCtxRelease(device.device));
    device.primary = nullptr;
  }
  MutableApi() = HipApi{};
}

hal_result HipVendor::MemoryInfo(Device& device, uint64_t* out_free, uint64_t* out_total) {
  if (const hal_result r = HAL_HIP(nullptr, hipSetDevice, static_cast<HipDevice&>(device).device)) {
    return r;
  }
  size_t free_bytes = 0, total_bytes = 0;
  const hal_result result = HAL_HIP(nullptr, hipMemGetInfo, &free_bytes, &total_bytes);
  *out_free = free_bytes;
  *out_total = total_bytes;
  return result;
}

hal_result HipVendor::DeviceCount(int* out_count) {
  return HAL_HIP(nullptr, hipGetDeviceCount, out_count);
}

}  // namespace hal::hip
