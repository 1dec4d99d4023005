#include "backends/remote/protocol/properties_codec.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace hal::remote {
namespace {

template <size_t N>
absl::Status CopyString(const std::string& value, const char* field, char (&out)[N]) {
  if (value.size() >= N) {
    return absl::InvalidArgumentError(absl::StrCat(
        "device properties: ", field, " is ", value.size(), " bytes, at most ", N - 1, " fit"));
  }
  std::memset(out, 0, N);
  std::memcpy(out, value.data(), value.size());
  return absl::OkStatus();
}

absl::Status CopyTriple(const google::protobuf::RepeatedField<uint32_t>& values, const char* field,
                        uint32_t (&out)[3]) {
  if (values.size() != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("device properties: ", field, " has ", values.size(), " values, not 3"));
  }
  std::copy(values.begin(), values.end(), out);
  return absl::OkStatus();
}

}  // namespace

v1::DeviceProperties DevicePropertiesToWire(const hal::DeviceProperties& props) {
  v1::DeviceProperties wire;
  wire.set_name(props.name);
  wire.set_vendor(props.vendor);
  wire.set_uuid(std::string(props.uuid.begin(), props.uuid.end()));
  wire.set_device_type(static_cast<uint32_t>(props.type));
  wire.set_architecture(props.architecture);
  wire.set_pci_bus_id(props.pci_bus_id);
  wire.set_total_memory_bytes(props.memory_bytes);
  wire.set_l2_cache_bytes(props.l2_cache_bytes);
  wire.set_compute_units(props.compute_units);
  wire.set_capabilities(props.capabilities.bits());
  wire.set_kernel_formats(absl::StrJoin(props.kernel_formats, ","));
  wire.mutable_max_workgroup_size()->Add(props.max_workgroup_size.begin(),
                                         props.max_workgroup_size.end());
  wire.set_max_workgroup_invocations(props.max_workgroup_invocations);
  wire.mutable_max_workgroup_count()->Add(props.max_workgroup_count.begin(),
                                          props.max_workgroup_count.end());
  wire.set_min_buffer_alignment(props.min_buffer_alignment);
  wire.set_binding_offset_alignment(props.binding_offset_alignment);
  wire.set_allocation_granularity(props.allocation_granularity);
  wire.set_timestamp_resolution_ns(props.timestamp_resolution_ns);
  return wire;
}

absl::Status DevicePropertiesFromWire(const v1::DeviceProperties& wire,
                                      hal_device_properties* out) {
  // Everything is checked before `out` is touched: a refused list leaves the
  // caller's struct as it was.
  hal_device_properties props = *out;
  if (absl::Status s = CopyString(wire.name(), "name", props.name); !s.ok()) return s;
  if (absl::Status s = CopyString(wire.vendor(), "vendor", props.vendor); !s.ok()) return s;
  if (absl::Status s = CopyString(wire.architecture(), "architecture", props.architecture);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CopyString(wire.pci_bus_id(), "pci_bus_id", props.pci_bus_id); !s.ok()) {
    return s;
  }
  if (absl::Status s = CopyString(wire.kernel_formats(), "kernel_formats", props.kernel_formats);
      !s.ok()) {
    return s;
  }
  if (wire.uuid().size() != sizeof(props.uuid)) {
    return absl::InvalidArgumentError(
        absl::StrCat("device properties: uuid is ", wire.uuid().size(), " bytes, not 16"));
  }
  std::memcpy(props.uuid, wire.uuid().data(), sizeof(props.uuid));
  if (absl::Status s =
          CopyTriple(wire.max_workgroup_size(), "max_workgroup_size", props.max_workgroup_size);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CopyTriple(wire.max_workgroup_count(), "max_workgroup_count", props.max_workgroup_count);
      !s.ok()) {
    return s;
  }
  // A type a newer daemon knows and this ABI does not is "other", as the
  // runtime reads unknown driver types.
  props.device_type = wire.device_type() <= HAL_DEVICE_TYPE_VIRTUAL_GPU
                          ? static_cast<hal_device_type>(wire.device_type())
                          : HAL_DEVICE_TYPE_OTHER;
  props.total_memory_bytes = wire.total_memory_bytes();
  props.l2_cache_bytes = wire.l2_cache_bytes();
  props.compute_units = wire.compute_units();
  props.capabilities = wire.capabilities();
  // No partitions through the daemon: a context gets the whole device, as
  // the CPU driver reports it.
  props.partition_kind = HAL_PARTITION_NONE;
  props.partition_min_units = wire.compute_units();
  props.partition_alignment = 1;
  props.partition_max_units = wire.compute_units();
  props.max_workgroup_invocations = wire.max_workgroup_invocations();
  props.min_buffer_alignment = wire.min_buffer_alignment();
  props.binding_offset_alignment = wire.binding_offset_alignment();
  props.allocation_granularity = wire.allocation_granularity();
  props.virtual_memory_granularity = 0;
  props.timestamp_resolution_ns = wire.timestamp_resolution_ns();
  props.device_buffers_mappable = 0;
  *out = props;
  return absl::OkStatus();
}

}  // namespace hal::remote
