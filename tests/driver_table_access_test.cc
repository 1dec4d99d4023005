// hal::testing::DriverTableFor: the table behind a PhysicalDevice is the one
// the runtime loaded (initialized, of the device's driver), and the index is
// the device's, so a test can call entry points directly.
#include <cstring>
#include <memory>

#include "gtest/gtest.h"
#include "hal/driver/hal_driver.h"
#include "hal/runtime.h"
#include "hal/testing/driver_table.h"

namespace hal {
namespace {

std::unique_ptr<Runtime> CpuRuntime() {
  RuntimeOptions options;
  options.driver_paths = {HAL_TEST_CPU_DRIVER_MANIFEST_DIR};
  options.use_driver_path_env = false;
  options.use_default_driver_path = false;
  options.selector = "cpu";
  auto runtime = Runtime::Create(options);
  EXPECT_TRUE(runtime.ok()) << runtime.status();
  return runtime.ok() ? *std::move(runtime) : nullptr;
}

TEST(DriverTableAccessTest, GivesTheLoadedTableOfTheDevicesDriver) {
  std::unique_ptr<Runtime> runtime = CpuRuntime();
  ASSERT_NE(runtime, nullptr);
  auto device = runtime->FindDevice("cpu:0");
  ASSERT_TRUE(device.ok()) << device.status();
  const testing::DriverTableAccess access = testing::DriverTableFor(**device);
  ASSERT_NE(access.table, nullptr);
  EXPECT_EQ(access.table->type, HAL_STRUCTURE_TYPE_DRIVER_TABLE);
  EXPECT_STREQ(access.table->name, "cpu");
  EXPECT_EQ(access.device_index, (*device)->index());
  // Initialized already: the device's properties come straight from the table.
  hal_device_properties props{};
  props.type = HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES;
  ASSERT_EQ(access.table->device_get_properties(access.device_index, &props), HAL_SUCCESS);
  EXPECT_EQ(std::strncmp(props.name, (*device)->properties().name.c_str(), sizeof(props.name)), 0);
}

TEST(DriverTableAccessTest, TableOutlivesTheRuntimeWhileADeviceIsOpen) {
  std::unique_ptr<Runtime> runtime = CpuRuntime();
  ASSERT_NE(runtime, nullptr);
  auto physical = runtime->FindDevice("cpu:0");
  ASSERT_TRUE(physical.ok()) << physical.status();
  auto device = (*physical)->Open();
  ASSERT_TRUE(device.ok()) << device.status();
  const testing::DriverTableAccess access = testing::DriverTableFor(**physical);
  runtime.reset();
  uint32_t count = 0;
  ASSERT_EQ(access.table->device_count(&count), HAL_SUCCESS);
  EXPECT_GT(count, access.device_index);
}

}  // namespace
}  // namespace hal
