#include "backends/gpu_core/device_facts.h"

#include <string>

#include "gtest/gtest.h"

namespace hal::gpu {
namespace {

TEST(DeviceFactsTest, FactsBecomeTheAbisPropertiesAlikeForEveryVendor) {
  DeviceFacts facts;
  facts.name = "AMD Instinct MI210";
  facts.vendor = "AMD";
  facts.architecture = "gfx90a";
  facts.kernel_formats = "hsaco:gfx90a";
  facts.pci_bus_id = "0000:C1:00.0";
  facts.uuid[0] = 0xab;
  facts.total_memory_bytes = uint64_t{64} << 30;
  facts.compute_units = 104;
  facts.l2_cache_bytes = 8 << 20;
  facts.max_threads_per_block = 1024;
  facts.max_block[0] = 1024;
  facts.max_grid[2] = -1;  // a vendor's "unlimited" as a negative int
  facts.stream_priorities = true;
  facts.timestamp_resolution_ns = 1000;
  hal_device_properties props{};
  FillDeviceProperties(facts, &props);
  EXPECT_EQ(props.type, HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES);
  EXPECT_STREQ(props.name, "AMD Instinct MI210");
  EXPECT_STREQ(props.pci_bus_id, "0000:c1:00.0");
  EXPECT_EQ(props.uuid[0], 0xab);
  EXPECT_EQ(props.device_type, HAL_DEVICE_TYPE_DISCRETE_GPU);
  EXPECT_EQ(props.compute_units, 104u);
  EXPECT_EQ(props.max_workgroup_size[0], 1024u);
  EXPECT_EQ(props.max_workgroup_count[2], 0u);
  EXPECT_EQ(props.min_buffer_alignment, 256u);
  EXPECT_NE(props.capabilities & HAL_CAPABILITY_STREAM_PRIORITY, 0u);
  EXPECT_NE(props.capabilities & HAL_CAPABILITY_MEMORY_CACHE, 0u);
  EXPECT_EQ(props.capabilities & HAL_CAPABILITY_VIRTUAL_MEMORY, 0u) << "the vendor's to add";
  EXPECT_EQ(props.partition_kind, HAL_PARTITION_NONE);
  EXPECT_EQ(props.partition_max_units, 104u);
}

TEST(DeviceFactsTest, NamesLongerThanTheirFieldsAreCutAndTerminated) {
  DeviceFacts facts;
  facts.name = std::string(1000, 'x');
  facts.architecture = std::string(100, 'g');
  hal_device_properties props{};
  FillDeviceProperties(facts, &props);
  EXPECT_EQ(std::string(props.name).size(), sizeof(props.name) - 1);
  EXPECT_EQ(std::string(props.architecture).size(), sizeof(props.architecture) - 1);
}

}  // namespace
}  // namespace hal::gpu
