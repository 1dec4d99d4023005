#include "backends/gpu_core/device_facts.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace hal::gpu {
namespace {

// cuMemAlloc and hipMalloc align every allocation to at least 256 bytes.
constexpr uint64_t kMinBufferAlignment = 256;
// Bindings are passed as pointers; 16 keeps the widest vector loads aligned.
constexpr uint64_t kBindingOffsetAlignment = 16;
// The caching allocator's smallest size step.
constexpr uint64_t kAllocationGranularity = 512;

template <size_t N>
void CopyString(char (&destination)[N], const std::string& source) {
  const size_t length = std::min(source.size(), N - 1);
  std::memcpy(destination, source.data(), length);
  destination[length] = '\0';
}

uint32_t Unsigned(int value) { return static_cast<uint32_t>(std::max(value, 0)); }

}  // namespace

void FillDeviceProperties(const DeviceFacts& facts, hal_device_properties* props) {
  props->type = HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES;
  CopyString(props->name, facts.name);
  CopyString(props->vendor, facts.vendor);
  CopyString(props->architecture, facts.architecture);
  CopyString(props->kernel_formats, facts.kernel_formats);
  std::string bus_id = facts.pci_bus_id;
  std::transform(bus_id.begin(), bus_id.end(), bus_id.begin(),
                 [](char c) { return static_cast<char>(std::tolower(c)); });
  CopyString(props->pci_bus_id, bus_id);
  static_assert(sizeof(facts.uuid) == sizeof(props->uuid));
  std::memcpy(props->uuid, facts.uuid, sizeof(props->uuid));
  props->total_memory_bytes = facts.total_memory_bytes;
  props->device_type =
      facts.integrated ? HAL_DEVICE_TYPE_INTEGRATED_GPU : HAL_DEVICE_TYPE_DISCRETE_GPU;
  props->l2_cache_bytes = Unsigned(facts.l2_cache_bytes);
  props->compute_units = Unsigned(facts.compute_units);
  for (int i = 0; i < 3; ++i) {
    props->max_workgroup_size[i] = Unsigned(facts.max_block[i]);
    props->max_workgroup_count[i] = Unsigned(facts.max_grid[i]);
  }
  props->max_workgroup_invocations = Unsigned(facts.max_threads_per_block);
  props->min_buffer_alignment = kMinBufferAlignment;
  props->binding_offset_alignment = kBindingOffsetAlignment;
  props->allocation_granularity = kAllocationGranularity;
  props->timestamp_resolution_ns = facts.timestamp_resolution_ns;
  props->device_buffers_mappable = 0;
  props->capabilities = HAL_CAPABILITY_DEVICE_ADDRESS | HAL_CAPABILITY_HOST_REGISTRATION |
                        HAL_CAPABILITY_NATIVE_HANDLES | HAL_CAPABILITY_MEMORY_CACHE;
  if (facts.stream_priorities) props->capabilities |= HAL_CAPABILITY_STREAM_PRIORITY;
  // No partition until the vendor says so: the runtime time-slices.
  props->partition_kind = HAL_PARTITION_NONE;
  props->partition_alignment = 1;
  props->partition_max_units = props->compute_units;
}

}  // namespace hal::gpu
