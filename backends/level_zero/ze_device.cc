// Enumeration: every device of every Level Zero driver the loader found, with
// its properties in the ABI's terms, or the reason it is not served.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "backends/common/driver_error.h"
#include "backends/level_zero/ze_entry_points.h"
#include "backends/level_zero/ze_errors.h"
#include "backends/level_zero/ze_state.h"

namespace hal::level_zero {
namespace {

constexpr uint64_t kBufferAlignment = 64;
constexpr uint64_t kAllocationGranularity = 4096;  // Level Zero allocates whole pages
constexpr uint64_t kBindingOffsetAlignment = 4;    // the kernels' 32-bit elements

// Lists handles with Level Zero's two-call idiom.
template <typename Handle, typename Call>
hal_result ListAll(std::vector<Handle>* out, const char* name, const Call& call) {
  uint32_t count = 0;
  if (const hal_result r = ZeErrors().Check(call(&count, nullptr), name, "", nullptr)) return r;
  out->resize(count);
  if (count == 0) return HAL_SUCCESS;
  if (const hal_result r = ZeErrors().Check(call(&count, out->data()), name, "", nullptr)) {
    return r;
  }
  out->resize(count);
  return HAL_SUCCESS;
}

std::string VendorName(uint32_t vendor_id) {
  if (vendor_id == 0x8086) return "Intel";
  char name[32];
  std::snprintf(name, sizeof(name), "PCI vendor 0x%04x", vendor_id);
  return name;
}

// The first queue group that runs kernels; false when the device has none.
bool FindComputeGroup(ze_device_handle_t device, uint32_t* out_ordinal) {
  uint32_t count = 0;
  if (Api().zeDeviceGetCommandQueueGroupProperties(device, &count, nullptr) != ZE_RESULT_SUCCESS) {
    return false;
  }
  std::vector<ze_command_queue_group_properties_t> groups(
      count, {ZE_STRUCTURE_TYPE_COMMAND_QUEUE_GROUP_PROPERTIES, nullptr, 0, 0, 0});
  if (count == 0 || Api().zeDeviceGetCommandQueueGroupProperties(device, &count, groups.data()) !=
                        ZE_RESULT_SUCCESS) {
    return false;
  }
  for (uint32_t i = 0; i < count; ++i) {
    if (groups[i].flags & ZE_COMMAND_QUEUE_GROUP_PROPERTY_FLAG_COMPUTE) {
      *out_ordinal = i;
      return true;
    }
  }
  return false;
}

// Fills `device` from Level Zero's answers; an empty reason when it is served.
hal_result Describe(Device* device, std::string* unusable_reason) {
  const ze_device_handle_t handle = device->device;
  ze_device_properties_t props{};
  props.stype = ZE_STRUCTURE_TYPE_DEVICE_PROPERTIES;  // timerResolution in ns
  if (const hal_result r = HAL_ZE(nullptr, zeDeviceGetProperties, handle, &props)) return r;
  hal_device_properties& out = device->properties;
  out.type = HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES;
  std::snprintf(out.name, sizeof(out.name), "%s", props.name);
  std::snprintf(out.vendor, sizeof(out.vendor), "%s", VendorName(props.vendorId).c_str());
  static_assert(sizeof(props.uuid.id) == sizeof(out.uuid));
  std::memcpy(out.uuid, props.uuid.id, sizeof(out.uuid));
  if (props.type != ZE_DEVICE_TYPE_GPU) {
    *unusable_reason = "not a GPU (ze_device_type_t " + std::to_string(props.type) + ")";
    return HAL_SUCCESS;
  }
  if (!FindComputeGroup(handle, &device->compute_ordinal)) {
    *unusable_reason = "no command queue group with ZE_COMMAND_QUEUE_GROUP_PROPERTY_FLAG_COMPUTE";
    return HAL_SUCCESS;
  }
  ze_device_compute_properties_t compute{};
  compute.stype = ZE_STRUCTURE_TYPE_DEVICE_COMPUTE_PROPERTIES;
  if (const hal_result r = HAL_ZE(nullptr, zeDeviceGetComputeProperties, handle, &compute)) return r;
  std::vector<ze_device_memory_properties_t> memories;
  if (const hal_result r = ListAll(&memories, "zeDeviceGetMemoryProperties",
                                   [&](uint32_t* count, ze_device_memory_properties_t* items) {
                                     for (uint32_t i = 0; items != nullptr && i < *count; ++i) {
                                       items[i] = {};
                                       items[i].stype = ZE_STRUCTURE_TYPE_DEVICE_MEMORY_PROPERTIES;
                                     }
                                     return Api().zeDeviceGetMemoryProperties(handle, count, items);
                                   })) {
    return r;
  }
  if (const hal_result r = ListAll(&device->subdevices, "zeDeviceGetSubDevices",
                                   [&](uint32_t* count, ze_device_handle_t* items) {
                                     return Api().zeDeviceGetSubDevices(handle, count, items);
                                   })) {
    return r;
  }
  out.device_type = (props.flags & ZE_DEVICE_PROPERTY_FLAG_INTEGRATED)
                        ? HAL_DEVICE_TYPE_INTEGRATED_GPU
                        : HAL_DEVICE_TYPE_DISCRETE_GPU;
  for (const ze_device_memory_properties_t& memory : memories) out.total_memory_bytes += memory.totalSize;
  out.compute_units = props.numSlices * props.numSubslicesPerSlice * props.numEUsPerSubslice;
  out.capabilities = HAL_CAPABILITY_DEVICE_ADDRESS | HAL_CAPABILITY_NATIVE_HANDLES |
                     HAL_CAPABILITY_STREAM_PRIORITY;
  size_t page_size = 0;
  if (Api().has_virtual_memory &&
      Api().zeVirtualMemQueryPageSize(device->context, handle, 1, &page_size) == ZE_RESULT_SUCCESS &&
      page_size > 0) {
    out.capabilities |= HAL_CAPABILITY_VIRTUAL_MEMORY;
    out.virtual_memory_granularity = page_size;
  }
  std::snprintf(out.kernel_formats, sizeof(out.kernel_formats), "spirv-opencl");
  // A partition is whole sub-devices; a device without any is one unit.
  const driver_support::SubdeviceLayout layout{
      std::max(static_cast<uint32_t>(device->subdevices.size()), 1u), 1, 1};
  driver_support::DescribeSubdevicePartitions(layout, &out);
  device->partitions = std::make_unique<driver_support::SubdevicePartitions>(layout);
  out.max_workgroup_size[0] = compute.maxGroupSizeX;
  out.max_workgroup_size[1] = compute.maxGroupSizeY;
  out.max_workgroup_size[2] = compute.maxGroupSizeZ;
  out.max_workgroup_invocations = compute.maxTotalGroupSize;
  out.max_workgroup_count[0] = compute.maxGroupCountX;
  out.max_workgroup_count[1] = compute.maxGroupCountY;
  out.max_workgroup_count[2] = compute.maxGroupCountZ;
  out.min_buffer_alignment = kBufferAlignment;
  out.binding_offset_alignment = kBindingOffsetAlignment;
  out.allocation_granularity = kAllocationGranularity;
  device->timer_resolution_ns = std::max<uint64_t>(props.timerResolution, 1);
  out.timestamp_resolution_ns = device->timer_resolution_ns;
  device->timestamp_mask = props.timestampValidBits >= 64
                               ? ~uint64_t{0}
                               : (uint64_t{1} << props.timestampValidBits) - 1;
  device->max_priority = props.maxCommandQueuePriority;
  return HAL_SUCCESS;
}

}  // namespace

hal_result EnumerateDevices() {
  DriverState& state = State();
  std::vector<ze_driver_handle_t> drivers;
  if (const hal_result r = ListAll(&drivers, "zeDriverGet", [](uint32_t* count, ze_driver_handle_t* items) {
        return Api().zeDriverGet(count, items);
      })) {
    return r;
  }
  for (ze_driver_handle_t driver : drivers) {
    const ze_context_desc_t context_desc{ZE_STRUCTURE_TYPE_CONTEXT_DESC, nullptr, 0};
    ze_context_handle_t context = nullptr;
    if (const hal_result r = HAL_ZE(nullptr, zeContextCreate, driver, &context_desc, &context)) {
      return r;
    }
    state.contexts.push_back(context);
    std::vector<ze_device_handle_t> handles;
    if (const hal_result r = ListAll(&handles, "zeDeviceGet", [&](uint32_t* count, ze_device_handle_t* items) {
          return Api().zeDeviceGet(driver, count, items);
        })) {
      return r;
    }
    for (ze_device_handle_t handle : handles) {
      auto device = std::make_unique<Device>();
      device->context = context;
      device->device = handle;
      std::string reason;
      if (const hal_result r = Describe(device.get(), &reason)) {
        reason = driver_support::LastErrorMessage();
      }
      if (reason.empty()) {
        state.devices.push_back(std::move(device));
      } else {
        state.unusable.push_back({device->properties.name, reason});
      }
    }
  }
  if (state.devices.empty()) {
    std::string message = "no Level Zero device can be used";
    for (const UnusableDevice& device : state.unusable) {
      message += "; " + device.name + ": " + device.reason;
    }
    if (state.unusable.empty()) message += " (the loader's drivers report no device)";
    return driver_support::Fail(HAL_ERROR_UNAVAILABLE, message);
  }
  return HAL_SUCCESS;
}

}  // namespace hal::level_zero
