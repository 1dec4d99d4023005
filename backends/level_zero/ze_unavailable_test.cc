// The Level Zero driver where no Level Zero driver initializes: the real
// loader alone (no driver installed on this machine: zeInit answers
// ZE_RESULT_ERROR_UNINITIALIZED), and the fake driver answering zeInit with
// an error (HAL_FAKE_ZE_CONFIG=init_result=...). Either way the driver is
// unavailable with the loader's answer and calls nothing after zeInit (with
// Intel's driver installed, zeDriverGet after a failed zeInit crashes).
// zeInit runs once per process, so ctest runs each case in its own.
#include <dlfcn.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/driver/hal_driver.h"
#include "tests/fake_level_zero/fake_ze_control.h"

namespace {

using ::testing::HasSubstr;

const hal_driver_table* LoadDriver() {
  void* library = dlopen(HAL_LEVEL_ZERO_DRIVER_PATH, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) return nullptr;
  const auto get_table =
      reinterpret_cast<hal_driver_get_table_fn>(dlsym(library, HAL_DRIVER_ENTRY_POINT_NAME));
  return get_table != nullptr
             ? get_table(HAL_DRIVER_ABI_VERSION_MAJOR, HAL_DRIVER_ABI_VERSION_MINOR)
             : nullptr;
}

TEST(LevelZeroUnavailableTest, WithoutADriverTheReasonIsTheLoadersAnswer) {
  if (dlopen("libze_intel_gpu.so.1", RTLD_NOW | RTLD_LOCAL) != nullptr) {
    GTEST_SKIP() << "Intel's Level Zero driver is installed here";
  }
  const hal_driver_table* table = LoadDriver();
  ASSERT_NE(table, nullptr) << dlerror();
  EXPECT_EQ(table->initialize(), HAL_ERROR_UNAVAILABLE);
  EXPECT_THAT(table->last_error_message(), HasSubstr("zeInit: ZE_RESULT_ERROR_UNINITIALIZED"));
  EXPECT_THAT(table->last_error_message(), HasSubstr("no Level Zero driver"));
  table->shutdown();
}

TEST(LevelZeroUnavailableTest, AFailedZeInitIsTheLastCall) {
  const hal_driver_table* table = LoadDriver();
  ASSERT_NE(table, nullptr) << dlerror();
  void* fake = dlopen(HAL_FAKE_ZE_LIBRARY, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(fake, nullptr) << dlerror();
  const auto call_count =
      reinterpret_cast<hal_fake_ze_call_count_fn>(dlsym(fake, "hal_fake_ze_call_count"));
  EXPECT_EQ(table->initialize(), HAL_ERROR_UNAVAILABLE);
  EXPECT_THAT(table->last_error_message(), HasSubstr("zeInit: ZE_RESULT_ERROR_DEVICE_LOST"));
  EXPECT_GE(call_count("zeInit"), 1u);
  EXPECT_EQ(call_count("zeDriverGet"), 0u);
  table->shutdown();
}

}  // namespace
