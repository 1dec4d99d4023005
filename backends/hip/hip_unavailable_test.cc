// The HIP driver where it cannot serve: Debian's real libamdhip64 on a
// machine without an AMD GPU, a library under HIP's soname that is not HIP,
// and no HIP runtime at all. ctest runs each with its LD_LIBRARY_PATH.
#include <dlfcn.h>
#include <unistd.h>

#include <string>

#include "backends/gpu_core/driver_loading_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/driver/hal_driver.h"

namespace hal::hip_abi_test {
namespace {

using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::HasSubstr;

const hal_driver_table* Table() { return gpu::testing::LoadDriverTable(HAL_HIP_DRIVER_PATH); }

// The first of the driver's sonames the dynamic loader finds, and whether
// it is a HIP runtime at all; "" when none loads.
std::string FoundRuntime(bool* is_hip) {
  for (const char* name : {"libamdhip64.so", "libamdhip64.so.6", "libamdhip64.so.5"}) {
    void* library = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) continue;
    *is_hip =
        dlsym(library, "hipInit") != nullptr && dlsym(library, "hal_fake_hip_configure") == nullptr;
    dlclose(library);
    return name;
  }
  return "";
}

bool HasAmdGpu() { return access("/dev/kfd", F_OK) == 0; }

TEST(HipUnavailableTest, TheRuntimeWithoutAnAmdGpuAnswersNoDevice) {
  bool is_hip = false;
  const std::string found = FoundRuntime(&is_hip);
  if (!is_hip) GTEST_SKIP() << "no real HIP runtime loads here (found: '" << found << "')";
  if (HasAmdGpu()) GTEST_SKIP() << "this machine has an AMD GPU (/dev/kfd)";
  const hal_driver_table* table = Table();
  ASSERT_NE(table, nullptr);
  EXPECT_STREQ(table->name, "hip");
  EXPECT_EQ(table->initialize(), HAL_ERROR_UNAVAILABLE);
  // ROCm 5.2 measured: hipInit answers hipErrorInvalidDevice, the device
  // count hipErrorNoDevice.
  EXPECT_THAT(table->last_error_message(), AllOf(HasSubstr(found), HasSubstr("hipInit: "),
                                                 AnyOf(HasSubstr("hipErrorInvalidDevice (101)"),
                                                       HasSubstr("hipErrorNoDevice (100)")),
                                                 HasSubstr("no AMD GPU is visible")));
  table->shutdown();
}

TEST(HipUnavailableTest, ALibraryThatIsNotHipNamesTheFunctionsItLacks) {
  bool is_hip = true;
  if (FoundRuntime(&is_hip) != "libamdhip64.so" || is_hip) {
    GTEST_SKIP() << "libamdhip64.so is not the stand-in (a library without HIP) here";
  }
  const hal_driver_table* table = Table();
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->initialize(), HAL_ERROR_UNAVAILABLE);
  EXPECT_THAT(table->last_error_message(),
              AllOf(HasSubstr("libamdhip64.so lacks required functions: hipInit, "),
                    HasSubstr("hipModuleLaunchKernel")));
  table->shutdown();
}

TEST(HipUnavailableTest, WithoutARuntimeTheReasonIsEachSonamesLoaderMessage) {
  bool is_hip = false;
  const std::string found = FoundRuntime(&is_hip);
  if (!found.empty()) GTEST_SKIP() << "this machine has a HIP runtime (" << found << ")";
  const hal_driver_table* table = Table();
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->initialize(), HAL_ERROR_UNAVAILABLE);
  EXPECT_THAT(table->last_error_message(),
              AllOf(HasSubstr("no HIP runtime (libamdhip64) loads"),
                    HasSubstr("libamdhip64.so.5: cannot open shared object file")));
  table->shutdown();
}

}  // namespace
}  // namespace hal::hip_abi_test
