// The OpenCL driver where the ICD loader finds no vendor driver (ctest points
// OCL_ICD_VENDORS at an empty folder): initialize() is HAL_ERROR_UNAVAILABLE
// and says why, as hal-info shows it.
#include <dlfcn.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/driver/hal_driver.h"

namespace {

TEST(OpenClUnavailable, NoPlatformIsUnavailableWithTheReason) {
  void* library = dlopen(HAL_OPENCL_DRIVER_PATH, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(library, nullptr) << dlerror();
  if (dlopen("libOpenCL.so.1", RTLD_NOW | RTLD_NOLOAD) == nullptr &&
      dlopen("libOpenCL.so.1", RTLD_NOW | RTLD_LOCAL) == nullptr) {
    GTEST_SKIP() << "no OpenCL ICD loader (libOpenCL.so.1) on this machine";
  }
  const auto get_table =
      reinterpret_cast<hal_driver_get_table_fn>(dlsym(library, HAL_DRIVER_ENTRY_POINT_NAME));
  ASSERT_NE(get_table, nullptr);
  const hal_driver_table* table =
      get_table(HAL_DRIVER_ABI_VERSION_MAJOR, HAL_DRIVER_ABI_VERSION_MINOR);
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->initialize(), HAL_ERROR_UNAVAILABLE);
  EXPECT_THAT(table->last_error_message(), ::testing::HasSubstr("found no platform"));
  table->shutdown();
  dlclose(library);
}

}  // namespace
