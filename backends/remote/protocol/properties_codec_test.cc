#include "backends/remote/protocol/properties_codec.h"

#include <cstring>
#include <string>

#include "gtest/gtest.h"

namespace hal::remote {
namespace {

hal::DeviceProperties SampleProperties() {
  hal::DeviceProperties props;
  props.name = "lavapipe";
  props.vendor = "Mesa";
  for (size_t i = 0; i < props.uuid.size(); ++i) props.uuid[i] = static_cast<uint8_t>(i + 1);
  props.type = DeviceType::kIntegratedGpu;
  props.architecture = "x86_64";
  props.pci_bus_id = "0000:65:00.0";
  props.memory_bytes = 8ull << 30;
  props.l2_cache_bytes = 1 << 20;
  props.compute_units = 16;
  props.capabilities = CapabilitySet(static_cast<uint32_t>(Capability::kStreamPriority));
  props.kernel_formats = {"spirv-vulkan", "cpu-elf:x86_64"};
  props.max_workgroup_size = {1024, 512, 64};
  props.max_workgroup_invocations = 1024;
  props.max_workgroup_count = {65535, 65534, 65533};
  props.min_buffer_alignment = 256;
  props.binding_offset_alignment = 64;
  props.allocation_granularity = 4096;
  props.timestamp_resolution_ns = 1;
  return props;
}

TEST(RemoteProtocolProperties, ToWireCopiesEveryField) {
  const v1::DeviceProperties wire = DevicePropertiesToWire(SampleProperties());
  EXPECT_EQ(wire.name(), "lavapipe");
  EXPECT_EQ(wire.vendor(), "Mesa");
  ASSERT_EQ(wire.uuid().size(), 16u);
  EXPECT_EQ(wire.uuid()[15], 16);
  EXPECT_EQ(wire.device_type(), static_cast<uint32_t>(HAL_DEVICE_TYPE_INTEGRATED_GPU));
  EXPECT_EQ(wire.architecture(), "x86_64");
  EXPECT_EQ(wire.pci_bus_id(), "0000:65:00.0");
  EXPECT_EQ(wire.total_memory_bytes(), 8ull << 30);
  EXPECT_EQ(wire.l2_cache_bytes(), 1u << 20);
  EXPECT_EQ(wire.compute_units(), 16u);
  EXPECT_EQ(wire.capabilities(), static_cast<uint32_t>(HAL_CAPABILITY_STREAM_PRIORITY));
  EXPECT_EQ(wire.kernel_formats(), "spirv-vulkan,cpu-elf:x86_64");
  ASSERT_EQ(wire.max_workgroup_size_size(), 3);
  EXPECT_EQ(wire.max_workgroup_size(1), 512u);
  EXPECT_EQ(wire.max_workgroup_invocations(), 1024u);
  ASSERT_EQ(wire.max_workgroup_count_size(), 3);
  EXPECT_EQ(wire.max_workgroup_count(2), 65533u);
  EXPECT_EQ(wire.min_buffer_alignment(), 256u);
  EXPECT_EQ(wire.binding_offset_alignment(), 64u);
  EXPECT_EQ(wire.allocation_granularity(), 4096u);
  EXPECT_EQ(wire.timestamp_resolution_ns(), 1u);
}

TEST(RemoteProtocolProperties, FromWireFillsTheAbiStruct) {
  const v1::DeviceProperties wire = DevicePropertiesToWire(SampleProperties());
  hal_device_properties out{};
  out.type = HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES;
  int marker = 0;
  out.next = &marker;
  out.virtual_memory_granularity = 99;
  out.device_buffers_mappable = 1;
  ASSERT_TRUE(DevicePropertiesFromWire(wire, &out).ok());
  EXPECT_EQ(out.type, HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES);
  EXPECT_EQ(out.next, &marker);
  EXPECT_STREQ(out.name, "lavapipe");
  EXPECT_STREQ(out.vendor, "Mesa");
  EXPECT_EQ(out.uuid[0], 1);
  EXPECT_EQ(out.uuid[15], 16);
  EXPECT_EQ(out.device_type, HAL_DEVICE_TYPE_INTEGRATED_GPU);
  EXPECT_STREQ(out.architecture, "x86_64");
  EXPECT_STREQ(out.pci_bus_id, "0000:65:00.0");
  EXPECT_EQ(out.total_memory_bytes, 8ull << 30);
  EXPECT_EQ(out.l2_cache_bytes, 1u << 20);
  EXPECT_EQ(out.compute_units, 16u);
  EXPECT_EQ(out.capabilities, static_cast<uint32_t>(HAL_CAPABILITY_STREAM_PRIORITY));
  EXPECT_STREQ(out.kernel_formats, "spirv-vulkan,cpu-elf:x86_64");
  EXPECT_EQ(out.partition_kind, HAL_PARTITION_NONE);
  EXPECT_EQ(out.partition_min_units, 16u);
  EXPECT_EQ(out.partition_alignment, 1u);
  EXPECT_EQ(out.partition_max_units, 16u);
  EXPECT_EQ(out.max_workgroup_size[2], 64u);
  EXPECT_EQ(out.max_workgroup_invocations, 1024u);
  EXPECT_EQ(out.max_workgroup_count[1], 65534u);
  EXPECT_EQ(out.min_buffer_alignment, 256u);
  EXPECT_EQ(out.binding_offset_alignment, 64u);
  EXPECT_EQ(out.allocation_granularity, 4096u);
  EXPECT_EQ(out.virtual_memory_granularity, 0u);
  EXPECT_EQ(out.timestamp_resolution_ns, 1u);
  EXPECT_EQ(out.device_buffers_mappable, 0u);
}

TEST(RemoteProtocolProperties, UnknownDeviceTypeIsOther) {
  v1::DeviceProperties wire = DevicePropertiesToWire(SampleProperties());
  wire.set_device_type(77);
  hal_device_properties out{};
  ASSERT_TRUE(DevicePropertiesFromWire(wire, &out).ok());
  EXPECT_EQ(out.device_type, HAL_DEVICE_TYPE_OTHER);
}

TEST(RemoteProtocolProperties, StringsMustFitWithTheirNul) {
  struct Case {
    const char* field;
    size_t capacity;
    void (v1::DeviceProperties::*set)(const std::string&);
  };
  // The setters are overloaded: pick the const std::string& one.
  using Setter = void (v1::DeviceProperties::*)(const std::string&);
  const Case cases[] = {
      {"name", HAL_DEVICE_NAME_SIZE, static_cast<Setter>(&v1::DeviceProperties::set_name)},
      {"vendor", HAL_DEVICE_VENDOR_SIZE, static_cast<Setter>(&v1::DeviceProperties::set_vendor)},
      {"architecture", HAL_DEVICE_ARCHITECTURE_SIZE,
       static_cast<Setter>(&v1::DeviceProperties::set_architecture)},
      {"pci_bus_id", HAL_DEVICE_PCI_BUS_ID_SIZE,
       static_cast<Setter>(&v1::DeviceProperties::set_pci_bus_id)},
      {"kernel_formats", HAL_DEVICE_FORMATS_SIZE,
       static_cast<Setter>(&v1::DeviceProperties::set_kernel_formats)},
  };
  for (const Case& c : cases) {
    v1::DeviceProperties wire = DevicePropertiesToWire(SampleProperties());
    (wire.*c.set)(std::string(c.capacity - 1, 'x'));
    hal_device_properties out{};
    EXPECT_TRUE(DevicePropertiesFromWire(wire, &out).ok()) << c.field;
    (wire.*c.set)(std::string(c.capacity, 'x'));
    hal_device_properties untouched{};
    const absl::Status status = DevicePropertiesFromWire(wire, &untouched);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_NE(status.message().find(c.field), absl::string_view::npos) << status;
    EXPECT_EQ(untouched.name[0], '\0') << "a refused list must leave the struct alone";
  }
}

TEST(RemoteProtocolProperties, ShapesMustBeExact) {
  hal_device_properties out{};
  v1::DeviceProperties uuid = DevicePropertiesToWire(SampleProperties());
  uuid.set_uuid("short");
  EXPECT_EQ(DevicePropertiesFromWire(uuid, &out).code(), absl::StatusCode::kInvalidArgument);

  v1::DeviceProperties size = DevicePropertiesToWire(SampleProperties());
  size.add_max_workgroup_size(1);
  absl::Status status = DevicePropertiesFromWire(size, &out);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("max_workgroup_size has 4 values"), absl::string_view::npos);

  v1::DeviceProperties count = DevicePropertiesToWire(SampleProperties());
  count.clear_max_workgroup_count();
  status = DevicePropertiesFromWire(count, &out);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("max_workgroup_count has 0 values"), absl::string_view::npos);
  EXPECT_EQ(out.name[0], '\0');
}

}  // namespace
}  // namespace hal::remote
