#include "backends/opencl/opencl_devices.h"

#include <CL/cl_ext.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "backends/common/derived_uuid.h"
#include "backends/opencl/opencl_errors.h"

namespace hal::opencl {
namespace {

// OpenCL 1.2 brings clEnqueueFillBuffer, markers with wait lists and
// sub-devices, which the driver needs.
constexpr int kMinimumVersion = 120;

Devices*& Instance() {
  static Devices* devices = nullptr;
  return devices;
}

template <typename T>
T DeviceValue(cl_device_id device, cl_device_info param, T fallback = T{}) {
  T value{};
  return Api().clGetDeviceInfo(device, param, sizeof(value), &value, nullptr) == CL_SUCCESS
             ? value
             : fallback;
}

std::string DeviceString(cl_device_id device, cl_device_info param) {
  size_t size = 0;
  if (Api().clGetDeviceInfo(device, param, 0, nullptr, &size) != CL_SUCCESS || size == 0) return "";
  std::string text(size, '\0');
  if (Api().clGetDeviceInfo(device, param, size, text.data(), nullptr) != CL_SUCCESS) return "";
  text.resize(std::strlen(text.c_str()));
  return text;
}

template <typename T>
std::vector<T> DeviceArray(cl_device_id device, cl_device_info param) {
  size_t size = 0;
  if (Api().clGetDeviceInfo(device, param, 0, nullptr, &size) != CL_SUCCESS) return {};
  std::vector<T> values(size / sizeof(T));
  if (values.empty() || Api().clGetDeviceInfo(device, param, values.size() * sizeof(T),
                                              values.data(), nullptr) != CL_SUCCESS) {
    return {};
  }
  return values;
}

std::string PlatformName(cl_platform_id platform) {
  size_t size = 0;
  if (Api().clGetPlatformInfo(platform, CL_PLATFORM_NAME, 0, nullptr, &size) != CL_SUCCESS) {
    return "an OpenCL platform";
  }
  std::string name(size, '\0');
  Api().clGetPlatformInfo(platform, CL_PLATFORM_NAME, size, name.data(), nullptr);
  name.resize(std::strlen(name.c_str()));
  return name;
}

bool HasExtension(const std::string& extensions, std::string_view name) {
  size_t at = 0;
  while ((at = extensions.find(name, at)) != std::string::npos) {
    const size_t end = at + name.size();
    const bool starts = at == 0 || extensions[at - 1] == ' ';
    const bool ends = end == extensions.size() || extensions[end] == ' ';
    if (starts && ends) return true;
    at = end;
  }
  return false;
}

void CopyString(const std::string& text, char* out, size_t size) {
  const size_t length = std::min(text.size(), size - 1);
  std::memcpy(out, text.data(), length);
  out[length] = '\0';
}

// The device's own UUID (cl_khr_device_uuid), or one derived from the
// machine and the device's platform, name and position in its platform.
void DeviceUuid(cl_device_id device, const std::string& extensions, const std::string& identity,
                uint8_t uuid[16]) {
  if (HasExtension(extensions, "cl_khr_device_uuid") &&
      Api().clGetDeviceInfo(device, CL_DEVICE_UUID_KHR, CL_UUID_SIZE_KHR, uuid, nullptr) ==
          CL_SUCCESS) {
    return;
  }
  driver_support::DeriveUuid(identity, uuid);
}

void PciBusId(cl_device_id device, const std::string& extensions, char* out, size_t size) {
  cl_device_pci_bus_info_khr info{};
  if (!HasExtension(extensions, "cl_khr_pci_bus_info") ||
      Api().clGetDeviceInfo(device, CL_DEVICE_PCI_BUS_INFO_KHR, sizeof(info), &info, nullptr) !=
          CL_SUCCESS) {
    return;
  }
  std::snprintf(out, size, "%04x:%02x:%02x.%x", info.pci_domain & 0xffff, info.pci_bus & 0xff,
                info.pci_device & 0xff, info.pci_function & 0x7);
}

hal_device_type DeviceType(cl_device_id device) {
  const auto type = DeviceValue<cl_device_type>(device, CL_DEVICE_TYPE);
  if ((type & CL_DEVICE_TYPE_CPU) != 0) return HAL_DEVICE_TYPE_CPU;
  if ((type & CL_DEVICE_TYPE_GPU) != 0) {
    return DeviceValue<cl_bool>(device, CL_DEVICE_HOST_UNIFIED_MEMORY) != 0
               ? HAL_DEVICE_TYPE_INTEGRATED_GPU
               : HAL_DEVICE_TYPE_DISCRETE_GPU;
  }
  return HAL_DEVICE_TYPE_OTHER;
}

// Sub-devices of any count of compute units when the device partitions by
// counts into at least two; otherwise the whole device only.
driver_support::SubdeviceLayout PartitionLayout(cl_device_id device, uint32_t compute_units) {
  const std::vector<cl_device_partition_property> kinds =
      DeviceArray<cl_device_partition_property>(device, CL_DEVICE_PARTITION_PROPERTIES);
  const bool by_counts =
      std::find(kinds.begin(), kinds.end(),
                static_cast<cl_device_partition_property>(CL_DEVICE_PARTITION_BY_COUNTS)) !=
      kinds.end();
  const auto most = DeviceValue<cl_uint>(device, CL_DEVICE_PARTITION_MAX_SUB_DEVICES);
  if (by_counts && most >= 2) return {.total_units = compute_units, .min_units = 1, .alignment = 1};
  return {.total_units = compute_units, .min_units = compute_units, .alignment = 1};
}

// Why the driver cannot serve `device`, or "" when it can.
std::string UnusableReason(cl_device_id device, int version, bool takes_il, bool takes_source) {
  if (version < kMinimumVersion) {
    return "OpenCL " + DeviceString(device, CL_DEVICE_VERSION) +
           ": the driver needs OpenCL 1.2 (fills, markers, sub-devices)";
  }
  if (DeviceValue<cl_bool>(device, CL_DEVICE_AVAILABLE) == 0) {
    return "the device reports itself not available (CL_DEVICE_AVAILABLE is false)";
  }
  if (!takes_il && !takes_source) {
    return "the device has no OpenCL C compiler and takes no SPIR-V (no IL version)";
  }
  return "";
}

std::unique_ptr<Device> DescribeDevice(cl_platform_id platform, cl_device_id id,
                                       const std::string& platform_name, uint32_t index) {
  auto device = std::make_unique<Device>();
  device->platform = platform;
  device->id = id;
  const std::string extensions = DeviceString(id, CL_DEVICE_EXTENSIONS);
  const int version = ParseOpenClVersion(DeviceString(id, CL_DEVICE_VERSION));
  // CL_DEVICE_IL_VERSION is 2.1's; an older device rejects the query.
  device->takes_il =
      Api().has_il && version >= 210 && !DeviceString(id, CL_DEVICE_IL_VERSION).empty();
  device->takes_source = DeviceValue<cl_bool>(id, CL_DEVICE_COMPILER_AVAILABLE) != 0;
  device->max_allocation_bytes = DeviceValue<cl_ulong>(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE);

  hal_device_properties& props = device->properties;
  props.type = HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES;
  const std::string name = DeviceString(id, CL_DEVICE_NAME);
  CopyString(name, props.name, sizeof(props.name));
  CopyString(DeviceString(id, CL_DEVICE_VENDOR), props.vendor, sizeof(props.vendor));
  DeviceUuid(id, extensions, platform_name + "\n" + name + "\n" + std::to_string(index),
             props.uuid);
  props.device_type = DeviceType(id);
  PciBusId(id, extensions, props.pci_bus_id, sizeof(props.pci_bus_id));
  props.total_memory_bytes = DeviceValue<cl_ulong>(id, CL_DEVICE_GLOBAL_MEM_SIZE);
  props.l2_cache_bytes = DeviceValue<cl_ulong>(id, CL_DEVICE_GLOBAL_MEM_CACHE_SIZE);
  props.compute_units = std::max<cl_uint>(DeviceValue<cl_uint>(id, CL_DEVICE_MAX_COMPUTE_UNITS), 1);
  props.capabilities = HAL_CAPABILITY_HOST_REGISTRATION | HAL_CAPABILITY_NATIVE_HANDLES;
  CopyString(KernelFormats(device->takes_il, device->takes_source), props.kernel_formats,
             sizeof(props.kernel_formats));
  const driver_support::SubdeviceLayout layout = PartitionLayout(id, props.compute_units);
  driver_support::DescribeSubdevicePartitions(layout, &props);
  device->partitions = std::make_unique<driver_support::SubdevicePartitions>(layout);
  const std::vector<size_t> item_sizes = DeviceArray<size_t>(id, CL_DEVICE_MAX_WORK_ITEM_SIZES);
  for (size_t d = 0; d < 3; ++d) {
    const size_t size = d < item_sizes.size() ? item_sizes[d] : 1;
    props.max_workgroup_size[d] = static_cast<uint32_t>(std::min<size_t>(size, UINT32_MAX));
  }
  props.max_workgroup_invocations = static_cast<uint32_t>(
      std::min<size_t>(DeviceValue<size_t>(id, CL_DEVICE_MAX_WORK_GROUP_SIZE, 1), UINT32_MAX));
  // OpenCL bounds the global size only by size_t; these are CUDA's grid limits.
  props.max_workgroup_count[0] = 0x7fffffff;
  props.max_workgroup_count[1] = 65535;
  props.max_workgroup_count[2] = 65535;
  // Sub-buffers (bindings at an offset) must start at the base alignment.
  const uint64_t alignment =
      std::max<uint64_t>(DeviceValue<cl_uint>(id, CL_DEVICE_MEM_BASE_ADDR_ALIGN, 8) / 8, 4);
  props.min_buffer_alignment = alignment;
  props.binding_offset_alignment = alignment;
  props.allocation_granularity = alignment;
  props.virtual_memory_granularity = 0;
  props.timestamp_resolution_ns =
      std::max<size_t>(DeviceValue<size_t>(id, CL_DEVICE_PROFILING_TIMER_RESOLUTION, 1), 1);
  props.device_buffers_mappable = 0;
  return device;
}

}  // namespace

int ParseOpenClVersion(const std::string& version) {
  int major = 0;
  int minor = 0;
  if (std::sscanf(version.c_str(), "OpenCL %d.%d", &major, &minor) != 2) return 0;
  return major * 100 + minor * 10;
}

std::string KernelFormats(bool takes_il, bool takes_source) {
  std::string formats;
  if (takes_il) formats = "spirv-opencl";
  if (takes_source) formats += formats.empty() ? "opencl-c" : ",opencl-c";
  return formats;
}

hal_result Devices::Initialize() {
  HAL_CL_RETURN_IF_FAILED(LoadOpenClApi());
  cl_uint platform_count = 0;
  const cl_int counted = Api().clGetPlatformIDs(0, nullptr, &platform_count);
  if (counted != CL_SUCCESS || platform_count == 0) {
    return Fail(HAL_ERROR_UNAVAILABLE,
                "the OpenCL ICD loader found no platform (no vendor driver is installed, or "
                "OCL_ICD_VENDORS names none): " +
                    OpenClErrors().Describe("clGetPlatformIDs", counted, ""));
  }
  std::vector<cl_platform_id> platforms(platform_count);
  HAL_CL_RETURN_IF_FAILED(HAL_CL(clGetPlatformIDs, platform_count, platforms.data(), nullptr));
  auto devices = std::make_unique<Devices>();
  for (const cl_platform_id platform : platforms) {
    const std::string platform_name = PlatformName(platform);
    cl_uint count = 0;
    const cl_int listed = Api().clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, nullptr, &count);
    if (listed == CL_DEVICE_NOT_FOUND) continue;
    if (listed != CL_SUCCESS) {
      devices->unusable_.push_back(
          {platform_name, OpenClErrors().Describe("clGetDeviceIDs", listed, "")});
      continue;
    }
    std::vector<cl_device_id> ids(count);
    HAL_CL_RETURN_IF_FAILED(
        HAL_CL(clGetDeviceIDs, platform, CL_DEVICE_TYPE_ALL, count, ids.data(), nullptr));
    for (uint32_t i = 0; i < count; ++i) {
      std::unique_ptr<Device> device = DescribeDevice(platform, ids[i], platform_name, i);
      const std::string reason =
          UnusableReason(ids[i], ParseOpenClVersion(DeviceString(ids[i], CL_DEVICE_VERSION)),
                         device->takes_il, device->takes_source);
      if (reason.empty()) {
        devices->usable_.push_back(std::move(device));
      } else {
        devices->unusable_.push_back({device->properties.name, reason});
      }
    }
  }
  if (devices->usable_.empty()) {
    std::string message = "no usable OpenCL device";
    for (const UnusableDevice& device : devices->unusable_) {
      message += "; " + device.name + ": " + device.reason;
    }
    return Fail(HAL_ERROR_UNAVAILABLE, message);
  }
  Instance() = devices.release();
  return HAL_SUCCESS;
}

void Devices::Shutdown() {
  delete Instance();
  Instance() = nullptr;
}

Devices& Devices::Get() { return *Instance(); }

}  // namespace hal::opencl
