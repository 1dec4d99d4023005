#include "runtime/device_properties.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace hal::internal {
namespace {

// The driver promises NUL-terminated strings; a buggy one must not make us
// read past the array.
std::string BoundedString(const char* chars, size_t capacity) {
  return std::string(chars, strnlen(chars, capacity));
}

std::vector<std::string> SplitFormats(const std::string& list) {
  std::vector<std::string> formats;
  for (absl::string_view part : absl::StrSplit(list, ',', absl::SkipWhitespace())) {
    formats.emplace_back(absl::StripAsciiWhitespace(part));
  }
  return formats;
}

}  // namespace

absl::StatusOr<DeviceProperties> QueryDeviceProperties(const LoadedDriver& driver, uint32_t index) {
  hal_device_properties raw{};
  raw.type = HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES;
  if (absl::Status status = driver.ToStatus(driver.table().device_get_properties(index, &raw),
                                            absl::StrCat("device_get_properties(", index, ")"));
      !status.ok()) {
    return status;
  }
  DeviceProperties props;
  props.name = BoundedString(raw.name, sizeof(raw.name));
  props.vendor = BoundedString(raw.vendor, sizeof(raw.vendor));
  std::copy(std::begin(raw.uuid), std::end(raw.uuid), props.uuid.begin());
  props.type = static_cast<DeviceType>(
      raw.device_type <= HAL_DEVICE_TYPE_VIRTUAL_GPU ? raw.device_type : 0);
  props.architecture = BoundedString(raw.architecture, sizeof(raw.architecture));
  props.pci_bus_id = BoundedString(raw.pci_bus_id, sizeof(raw.pci_bus_id));
  props.memory_bytes = raw.total_memory_bytes;
  props.l2_cache_bytes = raw.l2_cache_bytes;
  props.compute_units = raw.compute_units;
  props.capabilities = CapabilitySet(raw.capabilities);
  props.kernel_formats =
      SplitFormats(BoundedString(raw.kernel_formats, sizeof(raw.kernel_formats)));
  props.partition.kind = static_cast<PartitionKind>(
      raw.partition_kind <= HAL_PARTITION_SUBDEVICE ? raw.partition_kind : 0);
  props.partition.min_units = raw.partition_min_units;
  props.partition.alignment = raw.partition_alignment;
  props.partition.max_units = raw.partition_max_units;
  std::copy(std::begin(raw.max_workgroup_size), std::end(raw.max_workgroup_size),
            props.max_workgroup_size.begin());
  props.max_workgroup_invocations = raw.max_workgroup_invocations;
  std::copy(std::begin(raw.max_workgroup_count), std::end(raw.max_workgroup_count),
            props.max_workgroup_count.begin());
  // Alignments of 0 would make every modulo check divide by zero.
  props.min_buffer_alignment = std::max<uint64_t>(raw.min_buffer_alignment, 1);
  props.binding_offset_alignment = std::max<uint64_t>(raw.binding_offset_alignment, 1);
  props.allocation_granularity = std::max<uint64_t>(raw.allocation_granularity, 1);
  props.virtual_memory_granularity = raw.virtual_memory_granularity;
  props.timestamp_resolution_ns = raw.timestamp_resolution_ns;
  props.device_buffers_mappable = raw.device_buffers_mappable != 0;
  return props;
}

}  // namespace hal::internal
