// AbiDevice: the device queries and the error message of the driver table,
// called directly: device_count, device_get_properties,
// device_get_memory_info, unusable_device_*, last_error_message, and which
// entry points a table must (or, for its capabilities, may) fill in.
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "conformance/abi/driver_table_test.h"
#include "conformance/coverage/coverage.h"

namespace hal::cts {
namespace {

bool IsPowerOfTwo(uint64_t value) { return value != 0 && (value & (value - 1)) == 0; }

// Whether `field` holds a NUL within its size.
template <size_t N>
bool IsNulTerminated(const char (&field)[N]) {
  return std::memchr(field, '\0', N) != nullptr;
}

class AbiDevice : public DriverTableTest {};

HAL_CTS_COVERS("AbiDevice.CountIncludesTheDevice", {"device_count", "success"});
TEST_P(AbiDevice, CountIncludesTheDevice) {
  uint32_t count = 0;
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().device_count(&count));
  EXPECT_GT(count, device_index());
  uint32_t again = 0;
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().device_count(&again));
  EXPECT_EQ(again, count) << "the device count changed between two calls";
}

HAL_CTS_COVERS("AbiDevice.PropertiesKeepTheirTagAndHoldTerminatedStrings",
               {"device_get_properties", "success"});
TEST_P(AbiDevice, PropertiesKeepTheirTagAndHoldTerminatedStrings) {
  // Garbage everywhere the driver must write; the caller's tag and chain stay.
  hal_device_properties props;
  std::memset(&props, 0xcd, sizeof(props));
  props.type = HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES;
  props.next = nullptr;
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().device_get_properties(device_index(), &props));
  EXPECT_EQ(props.type, HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES);
  EXPECT_EQ(props.next, nullptr);
  EXPECT_TRUE(IsNulTerminated(props.name));
  EXPECT_TRUE(IsNulTerminated(props.vendor));
  EXPECT_TRUE(IsNulTerminated(props.architecture));
  EXPECT_TRUE(IsNulTerminated(props.pci_bus_id));
  EXPECT_TRUE(IsNulTerminated(props.kernel_formats));
  EXPECT_GT(std::strlen(props.name), 0u);
  EXPECT_GT(std::strlen(props.kernel_formats), 0u);
  EXPECT_NE(props.kernel_formats[0], ',') << props.kernel_formats;
}

HAL_CTS_COVERS("AbiDevice.PropertiesAreTheSameOnEveryCall", {"device_get_properties", "success"});
TEST_P(AbiDevice, PropertiesAreTheSameOnEveryCall) {
  const hal_device_properties first = DriverProperties();
  // From other threads too: every function is thread-safe.
  std::vector<hal_device_properties> others(4);
  std::vector<hal_result> results(others.size(), HAL_SUCCESS);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < others.size(); ++i) {
    threads.emplace_back([&, i] {
      others[i] = hal_device_properties{};
      others[i].type = HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES;
      results[i] = table().device_get_properties(device_index(), &others[i]);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (hal_result result : results) EXPECT_EQ(result, HAL_SUCCESS) << ResultName(result);
  for (const hal_device_properties& other : others) {
    EXPECT_STREQ(other.name, first.name);
    EXPECT_EQ(std::memcmp(other.uuid, first.uuid, sizeof(first.uuid)), 0);
    EXPECT_EQ(other.total_memory_bytes, first.total_memory_bytes);
    EXPECT_EQ(other.capabilities, first.capabilities);
    EXPECT_STREQ(other.kernel_formats, first.kernel_formats);
    EXPECT_EQ(other.allocation_granularity, first.allocation_granularity);
  }
}

HAL_CTS_COVERS("AbiDevice.PropertiesMatchWhatTheRuntimeReports",
               {"device_get_properties", "success"});
TEST_P(AbiDevice, PropertiesMatchWhatTheRuntimeReports) {
  const hal_device_properties props = DriverProperties();
  EXPECT_EQ(props.name, properties().name);
  EXPECT_EQ(props.vendor, properties().vendor);
  EXPECT_EQ(std::memcmp(props.uuid, properties().uuid.data(), sizeof(props.uuid)), 0);
  EXPECT_EQ(props.total_memory_bytes, properties().memory_bytes);
  EXPECT_EQ(props.compute_units, properties().compute_units);
  EXPECT_EQ(CapabilitySet(props.capabilities).bits(), properties().capabilities.bits());
  EXPECT_EQ(props.allocation_granularity, properties().allocation_granularity);
  EXPECT_EQ(props.device_buffers_mappable != 0, properties().device_buffers_mappable);
}

HAL_CTS_COVERS("AbiDevice.LimitsAndAlignmentsAreSane", {"device_get_properties", "success"});
TEST_P(AbiDevice, LimitsAndAlignmentsAreSane) {
  const hal_device_properties props = DriverProperties();
  EXPECT_GE(props.device_type, HAL_DEVICE_TYPE_OTHER);
  EXPECT_LE(props.device_type, HAL_DEVICE_TYPE_VIRTUAL_GPU);
  EXPECT_GT(props.total_memory_bytes, 0u);
  EXPECT_GT(props.compute_units, 0u);
  uint64_t invocations_of_largest_dimension = 0;
  for (int d = 0; d < 3; ++d) {
    EXPECT_GT(props.max_workgroup_size[d], 0u) << "dimension " << d;
    EXPECT_GT(props.max_workgroup_count[d], 0u) << "dimension " << d;
    invocations_of_largest_dimension =
        std::max<uint64_t>(invocations_of_largest_dimension, props.max_workgroup_size[d]);
  }
  EXPECT_GT(props.max_workgroup_invocations, 0u);
  EXPECT_TRUE(IsPowerOfTwo(props.min_buffer_alignment)) << props.min_buffer_alignment;
  EXPECT_TRUE(IsPowerOfTwo(props.binding_offset_alignment)) << props.binding_offset_alignment;
  EXPECT_GT(props.allocation_granularity, 0u);
  EXPECT_GT(props.timestamp_resolution_ns, 0u);
}

HAL_CTS_COVERS("AbiDevice.CapabilityBitsAreKnownAndMatchTheirFields",
               {"device_get_properties", "success"});
TEST_P(AbiDevice, CapabilityBitsAreKnownAndMatchTheirFields) {
  const hal_device_properties props = DriverProperties();
  constexpr uint32_t kKnown = HAL_CAPABILITY_DEVICE_ADDRESS | HAL_CAPABILITY_VIRTUAL_MEMORY |
                              HAL_CAPABILITY_HOST_REGISTRATION | HAL_CAPABILITY_NATIVE_HANDLES |
                              HAL_CAPABILITY_STREAM_PRIORITY | HAL_CAPABILITY_MEMORY_CACHE;
  EXPECT_EQ(props.capabilities & ~kKnown, 0u) << "bits ABI 2.0 does not define";
  // virtual_memory_granularity: nonzero exactly with the capability.
  if ((props.capabilities & HAL_CAPABILITY_VIRTUAL_MEMORY) != 0) {
    EXPECT_GT(props.virtual_memory_granularity, 0u);
  } else {
    EXPECT_EQ(props.virtual_memory_granularity, 0u);
  }
}

HAL_CTS_COVERS("AbiDevice.PartitionFieldsFollowTheirRule", {"device_get_properties", "success"});
TEST_P(AbiDevice, PartitionFieldsFollowTheirRule) {
  const hal_device_properties props = DriverProperties();
  EXPECT_GE(props.partition_kind, HAL_PARTITION_NONE);
  EXPECT_LE(props.partition_kind, HAL_PARTITION_SUBDEVICE);
  EXPECT_GT(props.partition_max_units, 0u) << "the whole device is at least one unit";
  if (props.partition_kind == HAL_PARTITION_NONE) return;
  EXPECT_GT(props.partition_alignment, 0u);
  EXPECT_GT(props.partition_min_units, 0u);
  EXPECT_LE(props.partition_min_units, props.partition_max_units);
}

HAL_CTS_COVERS("AbiDevice.MemoryInfoTotalIsThePropertiesAndFreeIsWithinIt",
               {"device_get_memory_info", "success"});
TEST_P(AbiDevice, MemoryInfoTotalIsThePropertiesAndFreeIsWithinIt) {
  const hal_device_properties props = DriverProperties();
  for (int call = 0; call < 2; ++call) {
    uint64_t free_bytes = 0;
    uint64_t total_bytes = 0;
    ASSERT_HAL_RESULT(HAL_SUCCESS,
                      table().device_get_memory_info(device_index(), &free_bytes, &total_bytes));
    EXPECT_EQ(total_bytes, props.total_memory_bytes) << "call " << call;
    EXPECT_LE(free_bytes, total_bytes) << "call " << call;
  }
}

HAL_CTS_COVERS("AbiDevice.UnusableDeviceCountIsStable", {"unusable_device_count", "success"});
TEST_P(AbiDevice, UnusableDeviceCountIsStable) {
  const uint32_t count = table().unusable_device_count();
  EXPECT_EQ(table().unusable_device_count(), count);
  // The runtime lists them with the driver: the same number.
  EXPECT_EQ(GetParam()->driver->unusable_devices().size(), count);
}

HAL_CTS_COVERS("AbiDevice.UnusableDevicesHaveANameAndAReason",
               {"unusable_device_get", "success"});
TEST_P(AbiDevice, UnusableDevicesHaveANameAndAReason) {
  const uint32_t count = table().unusable_device_count();
  if (count == 0) HAL_CTS_SKIP_UNSUPPORTED("the driver reports no unusable device");
  for (uint32_t i = 0; i < count; ++i) {
    const char* name = nullptr;
    const char* reason = nullptr;
    table().unusable_device_get(i, &name, &reason);
    ASSERT_NE(name, nullptr) << "unusable device " << i;
    ASSERT_NE(reason, nullptr) << "unusable device " << i;
    EXPECT_GT(std::strlen(name), 0u) << "unusable device " << i;
    EXPECT_GT(std::strlen(reason), 0u) << "unusable device " << i << " (" << name << ")";
  }
}

HAL_CTS_COVERS("AbiDevice.LastErrorMessageIsNeverNull", {"last_error_message", "success"});
TEST_P(AbiDevice, LastErrorMessageIsNeverNull) {
  // On a thread that never called the driver, and on this one after success.
  const char* fresh = nullptr;
  std::thread([&] { fresh = table().last_error_message(); }).join();
  EXPECT_NE(fresh, nullptr);
  uint32_t count = 0;
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().device_count(&count));
  EXPECT_NE(table().last_error_message(), nullptr);
}

// More than any device has: the contract's out-of-memory.
constexpr uint64_t kBeyondAnyDevice = uint64_t{1} << 62;

HAL_CTS_COVERS("AbiDevice.LastErrorMessageDescribesTheLastFailure",
               {"last_error_message", "success"}, {"buffer_allocate", "out-of-memory"});
TEST_P(AbiDevice, LastErrorMessageDescribesTheLastFailure) {
  hal_drv_buffer* buffer = nullptr;
  uint64_t allocated = 0;
  ASSERT_HAL_RESULT(HAL_ERROR_OUT_OF_MEMORY, CallBufferAllocate(context(), kBeyondAnyDevice,
                                                                HAL_BUFFER_DEVICE, 0, &buffer,
                                                                &allocated));
  const char* message = table().last_error_message();
  ASSERT_NE(message, nullptr);
  EXPECT_GT(std::strlen(message), 0u) << "a failure without a message";
}

HAL_CTS_COVERS("AbiDevice.LastErrorMessageIsPerThread", {"last_error_message", "success"},
               {"event_timestamp_ns", "failed-precondition"}, {"buffer_allocate", "out-of-memory"});
TEST_P(AbiDevice, LastErrorMessageIsPerThread) {
  DrvEvent never_signalled = CreateEvent();
  ASSERT_TRUE(never_signalled);
  // This thread fails one way, another thread another way in between; this
  // thread's message stays its own.
  hal_drv_buffer* buffer = nullptr;
  uint64_t allocated = 0;
  ASSERT_HAL_RESULT(HAL_ERROR_OUT_OF_MEMORY, CallBufferAllocate(context(), kBeyondAnyDevice,
                                                                HAL_BUFFER_DEVICE, 0, &buffer,
                                                                &allocated));
  const std::string mine = LastError();
  std::string theirs;
  hal_result their_result = HAL_SUCCESS;
  std::thread([&] {
    uint64_t ns = 0;
    their_result = table().event_timestamp_ns(never_signalled.get(), &ns);
    theirs = LastError();
  }).join();
  EXPECT_EQ(their_result, HAL_ERROR_FAILED_PRECONDITION)
      << ResultName(their_result) << ": " << theirs;
  EXPECT_NE(theirs, mine);
  EXPECT_EQ(LastError(), mine) << "another thread's failure replaced this thread's message";
}

HAL_CTS_COVERS("AbiDevice.EachCapabilityHasItsEntryPoints", {"device_get_properties", "success"});
TEST_P(AbiDevice, EachCapabilityHasItsEntryPoints) {
  const hal_device_properties props = DriverProperties();
  const hal_driver_table& t = table();
  const auto has = [&](uint32_t bit) { return (props.capabilities & bit) != 0; };
  if (has(HAL_CAPABILITY_DEVICE_ADDRESS)) {
    EXPECT_NE(t.buffer_device_address, nullptr);
  }
  if (has(HAL_CAPABILITY_VIRTUAL_MEMORY)) {
    EXPECT_NE(t.buffer_decommit, nullptr);
    EXPECT_NE(t.buffer_recommit, nullptr);
  }
  if (has(HAL_CAPABILITY_HOST_REGISTRATION)) {
    EXPECT_NE(t.host_register, nullptr);
  }
  if (has(HAL_CAPABILITY_NATIVE_HANDLES)) {
    EXPECT_NE(t.native_handle, nullptr);
  }
  if (has(HAL_CAPABILITY_MEMORY_CACHE)) {
    EXPECT_NE(t.context_trim_memory, nullptr);
  }
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(AbiDevice);

}  // namespace
}  // namespace hal::cts
