// Enumeration: what a driver reports about its devices is complete, sane and
// consistent with what the runtime and its selector make of it.
#include <algorithm>
#include <array>
#include <bit>

#include "absl/strings/str_cat.h"
#include "conformance/coverage/coverage.h"
#include "conformance/device_test.h"
#include "conformance/status_matchers.h"
#include "gmock/gmock.h"
#include "hal/driver/hal_driver.h"

namespace hal::cts {
namespace {

class Enumeration : public DeviceTest {};

bool IsPowerOfTwo(uint64_t value) { return std::has_single_bit(value); }

HAL_CTS_COVERS("Enumeration.NamesAndCapacitiesAreSane", {"initialize", "success"},
               {"device_count", "success"}, {"device_get_properties", "success"});
TEST_P(Enumeration, NamesAndCapacitiesAreSane) {
  const DeviceProperties& props = properties();
  EXPECT_FALSE(props.name.empty());
  EXPECT_FALSE(props.vendor.empty());
  EXPECT_GT(props.memory_bytes, 0u);
  EXPECT_GT(props.compute_units, 0u);
  ASSERT_FALSE(props.kernel_formats.empty()) << "the device accepts no kernel format";
  for (const std::string& format : props.kernel_formats) EXPECT_FALSE(format.empty());
}

// Vendor names are printable, and a PCI address has its fixed shape, so tools
// and schedulers (Slurm, Kubernetes) can match it against the system's.
TEST_P(Enumeration, ArchitectureAndPciBusIdAreWellFormed) {
  const DeviceProperties& props = properties();
  EXPECT_TRUE(std::all_of(props.architecture.begin(), props.architecture.end(),
                          [](char c) { return c > ' ' && c < 127; }))
      << "architecture \"" << props.architecture << "\" is not printable without blanks";
  if (!props.pci_bus_id.empty()) {
    EXPECT_THAT(props.pci_bus_id,
                ::testing::MatchesRegex("[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]"))
        << "pci_bus_id is \"domain:bus:device.function\" in lower-case hex";
  }
}

TEST_P(Enumeration, LimitsAreSane) {
  const DeviceProperties& props = properties();
  for (int d = 0; d < 3; ++d) {
    EXPECT_GT(props.max_workgroup_size[d], 0u) << "dimension " << d;
    EXPECT_GT(props.max_workgroup_count[d], 0u) << "dimension " << d;
  }
  EXPECT_GT(props.max_workgroup_invocations, 0u);
  // Address alignments are powers of two.
  EXPECT_TRUE(IsPowerOfTwo(props.min_buffer_alignment)) << props.min_buffer_alignment;
  EXPECT_TRUE(IsPowerOfTwo(props.binding_offset_alignment)) << props.binding_offset_alignment;
  EXPECT_GT(props.allocation_granularity, 0u);
  EXPECT_GT(props.timestamp_resolution_ns, 0u);
}

HAL_CTS_COVERS("Enumeration.PartitionCapabilityIsConsistent", {"context_create", "success"},
               {"context_get_partition", "success"});
TEST_P(Enumeration, PartitionCapabilityIsConsistent) {
  const PartitionInfo& partition = properties().partition;
  if (partition.kind == PartitionKind::kNone) {
    // Unpartitioned, a context gets the whole device.
    EXPECT_GT(device().partition_units(), 0u);
    return;
  }
  EXPECT_GT(partition.alignment, 0u);
  EXPECT_GT(partition.min_units, 0u);
  EXPECT_EQ(partition.min_units % partition.alignment, 0u)
      << "the smallest grant (" << partition.min_units << ") is itself aligned ("
      << partition.alignment << ")";
  EXPECT_GE(partition.max_units, partition.min_units);
  EXPECT_EQ(device().partition_units(), partition.max_units)
      << "a context opened without a partition gets every unit";
}

TEST_P(Enumeration, UuidIsNonZeroAndUnique) {
  const std::array<uint8_t, 16>& uuid = properties().uuid;
  EXPECT_TRUE(std::any_of(uuid.begin(), uuid.end(), [](uint8_t byte) { return byte != 0; }))
      << "the device's UUID is all zeros";
  for (const PhysicalDevice* other : CtsEnvironment::Get().runtime().devices()) {
    if (other == &physical_device()) continue;
    EXPECT_NE(other->properties().uuid, uuid)
        << other->id() << " has the same UUID as " << physical_device().id();
  }
}

TEST_P(Enumeration, IdIsDriverColonIndex) {
  const PhysicalDevice& physical = physical_device();
  EXPECT_EQ(physical.id(), absl::StrCat(physical.driver_name(), ":", physical.index()));
  // The label of a context names the device it was opened on.
  EXPECT_EQ(device().label().rfind(absl::StrCat(physical.id(), "#"), 0), 0u) << device().label();
  EXPECT_EQ(&device().physical_device(), &physical);
}

HAL_CTS_COVERS("Enumeration.DriverIsListedAsAvailable", {"unusable_device_count", "success"});
TEST_P(Enumeration, DriverIsListedAsAvailable) {
  const Driver* driver = GetParam()->driver;
  ASSERT_NE(driver, nullptr) << "no driver named " << physical_device().driver_name();
  EXPECT_TRUE(driver->available());
  EXPECT_FALSE(driver->version().empty());
  const std::string major = absl::StrCat(HAL_DRIVER_ABI_VERSION_MAJOR, ".");
  EXPECT_EQ(driver->abi_version().rfind(major, 0), 0u)
      << "ABI version " << driver->abi_version() << " is not of major version "
      << HAL_DRIVER_ABI_VERSION_MAJOR;
}

TEST_P(Enumeration, UuidSelectorRoundTrips) {
  const PhysicalDevice& physical = physical_device();
  const std::string selector_text = physical.uuid_selector();
  EXPECT_EQ(selector_text, absl::StrCat(physical.driver_name(), ":", physical.uuid_string()));

  HAL_CTS_ASSERT_OK_AND_ASSIGN(const DeviceSelector selector, DeviceSelector::Parse(selector_text));
  EXPECT_TRUE(selector.Matches(physical.driver_name(), physical.index(), properties().uuid));
  std::array<uint8_t, 16> other_uuid = properties().uuid;
  other_uuid[15] ^= 0xff;
  EXPECT_FALSE(selector.Matches(physical.driver_name(), physical.index(), other_uuid));

  const Runtime& runtime = CtsEnvironment::Get().runtime();
  HAL_CTS_ASSERT_OK_AND_ASSIGN(const PhysicalDevice* by_uuid, runtime.FindDevice(selector_text));
  EXPECT_EQ(by_uuid, &physical);
  HAL_CTS_ASSERT_OK_AND_ASSIGN(const PhysicalDevice* by_id, runtime.FindDevice(physical.id()));
  EXPECT_EQ(by_id, &physical);
  EXPECT_EQ(ParseUuid(physical.uuid_string()), properties().uuid);
}

HAL_CTS_COVERS("Enumeration.FreeMemoryIsWithinTotal", {"device_get_memory_info", "success"});
TEST_P(Enumeration, FreeMemoryIsWithinTotal) {
  HAL_CTS_ASSERT_OK_AND_ASSIGN(const uint64_t free_bytes, physical_device().QueryFreeMemory());
  EXPECT_LE(free_bytes, properties().memory_bytes);
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(Enumeration);

}  // namespace
}  // namespace hal::cts
