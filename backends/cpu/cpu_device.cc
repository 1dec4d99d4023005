#include "backends/cpu/cpu_device.h"

#include <time.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "backends/common/derived_uuid.h"
#include "backends/common/proc_files.h"
#include "backends/common/thread_pool.h"
#include "backends/cpu/cpu_error.h"
#include "backends/cpu/cpu_virtual_memory.h"

namespace hal::cpu {

using driver_support::ReadKeyValueField;
using driver_support::ReadL2CacheBytes;
using driver_support::ReadMemInfoBytes;

namespace {

#if defined(__x86_64__)
constexpr char kArchitecture[] = "x86_64";
constexpr char kKernelFormats[] = "cpu-elf:x86_64";
#elif defined(__aarch64__)
constexpr char kArchitecture[] = "aarch64";
constexpr char kKernelFormats[] = "cpu-elf:aarch64";
#else
#error "the CPU driver names the kernel format of x86_64 and aarch64 builds only"
#endif

// The CPU does not limit workgroups: a CPU kernel loops over its workgroup
// itself. These bounds only keep the flat workgroup index of a grid within
// 64 bits (2^31 * 2^16 * 2^16 < 2^64).
constexpr uint32_t kMaxWorkgroupSize = 65536;
constexpr uint32_t kMaxWorkgroupCount[3] = {(1u << 31) - 1, 65535, 65535};

void CopyString(std::string_view text, char* out, size_t out_size) {
  const size_t length = std::min(text.size(), out_size - 1);
  std::memcpy(out, text.data(), length);
  out[length] = '\0';
}

std::string ModelName() {
  // x86 names the model; many Arm kernels only give "Processor" or nothing.
  for (const char* key : {"model name", "Processor"}) {
    if (auto name = ReadKeyValueField("/proc/cpuinfo", key)) return *name;
  }
  return "host CPU";
}

std::string VendorName() {
  const std::optional<std::string> id = ReadKeyValueField("/proc/cpuinfo", "vendor_id");
  if (!id) return "unknown";
  if (*id == "GenuineIntel") return "Intel";
  if (*id == "AuthenticAMD") return "AMD";
  return *id;
}

uint64_t TimestampResolutionNs() {
  // stream timestamps come from std::chrono::steady_clock, CLOCK_MONOTONIC.
  timespec resolution{};
  if (clock_getres(CLOCK_MONOTONIC, &resolution) != 0) return 1;
  const uint64_t ns = static_cast<uint64_t>(resolution.tv_sec) * 1'000'000'000 +
                      static_cast<uint64_t>(resolution.tv_nsec);
  return std::max<uint64_t>(ns, 1);
}

hal_device_properties ReadProperties() {
  hal_device_properties props{};
  props.type = HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES;
  const std::string model = ModelName();
  CopyString(model, props.name, sizeof(props.name));
  CopyString(VendorName(), props.vendor, sizeof(props.vendor));
  driver_support::DeriveUuid(model, props.uuid);
  props.device_type = HAL_DEVICE_TYPE_CPU;
  CopyString(kArchitecture, props.architecture, sizeof(props.architecture));
  // pci_bus_id stays "": the host CPU is not a PCI device.
  props.total_memory_bytes = ReadMemInfoBytes("MemTotal").value_or(0);
  props.l2_cache_bytes = ReadL2CacheBytes().value_or(0);
  props.compute_units = driver_support::UsableCpuCount();
  // Streams are alike (no priority) and the heap is the cache.
  props.capabilities = HAL_CAPABILITY_DEVICE_ADDRESS | HAL_CAPABILITY_VIRTUAL_MEMORY |
                       HAL_CAPABILITY_HOST_REGISTRATION;
  CopyString(kKernelFormats, props.kernel_formats, sizeof(props.kernel_formats));
  // No hardware partition: a context always gets every thread.
  props.partition_kind = HAL_PARTITION_NONE;
  props.partition_min_units = props.compute_units;
  props.partition_alignment = 1;
  props.partition_max_units = props.compute_units;
  for (int d = 0; d < 3; ++d) {
    props.max_workgroup_size[d] = kMaxWorkgroupSize;
    props.max_workgroup_count[d] = kMaxWorkgroupCount[d];
  }
  props.max_workgroup_invocations = kMaxWorkgroupSize;
  props.min_buffer_alignment = kBufferAlignment;
  props.binding_offset_alignment = kBindingOffsetAlignment;
  props.allocation_granularity = kAllocationGranularity;
  props.virtual_memory_granularity = PageSize();
  props.timestamp_resolution_ns = TimestampResolutionNs();
  props.device_buffers_mappable = 1;  // device memory is host memory
  return props;
}

}  // namespace

const hal_device_properties& DeviceProperties() {
  static const hal_device_properties properties = ReadProperties();
  return properties;
}

hal_result GetMemoryInfo(uint64_t* out_free_bytes, uint64_t* out_total_bytes) {
  const std::optional<uint64_t> available = ReadMemInfoBytes("MemAvailable");
  const std::optional<uint64_t> total = ReadMemInfoBytes("MemTotal");
  if (!available || !total) {
    return Fail(HAL_ERROR_UNAVAILABLE, "cannot read MemAvailable and MemTotal from /proc/meminfo");
  }
  *out_free_bytes = *available;
  *out_total_bytes = *total;
  return HAL_SUCCESS;
}

}  // namespace hal::cpu
