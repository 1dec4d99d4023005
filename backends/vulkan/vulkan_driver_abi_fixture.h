// The fixture of the Vulkan driver's ABI tests: the built plugin dlopen'd,
// its table taken, one context shared by the suite, and helpers that release
// what a test made. Nothing but the C ABI is called, as the runtime sees it;
// the suite skips, saying why, where no Vulkan library or device is present.
#ifndef HAL_BACKENDS_VULKAN_VULKAN_DRIVER_ABI_FIXTURE_H_
#define HAL_BACKENDS_VULKAN_VULKAN_DRIVER_ABI_FIXTURE_H_

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "backends/common/driver_abi_test_base.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/driver/hal_driver.h"

namespace hal::vulkan_abi_test {

using ::testing::HasSubstr;

struct SaxpyConstants {
  float a;
  uint32_t n;
};

inline constexpr char kSpirvFormat[] = "spirv-vulkan";

using hal::driver_abi_test::kEventDesc;
using hal::driver_abi_test::kStreamDesc;
using hal::driver_abi_test::ReadFile;

class VulkanDriverAbiTest : public hal::driver_abi_test::PluginAbiTest<kSpirvFormat> {
 protected:
  static void SetUpTestSuite() {
    OpenPlugin(HAL_VULKAN_DRIVER_PATH, "Vulkan", &InitializeKeepingStderr);
  }

  // initialize(), keeping what it printed for the tests that check it.
  static hal_result InitializeKeepingStderr(const hal_driver_table* table) {
    ::testing::internal::CaptureStderr();
    const hal_result initialized = table->initialize();
    initialize_stderr_ = ::testing::internal::GetCapturedStderr();
    std::fputs(initialize_stderr_.c_str(), stderr);
    return initialized;
  }

  // The test's saxpy SPIR-V as a module (destroyed in TearDown); null, with
  // a test failure, if it does not load.
  hal_drv_module* LoadSaxpyModule() {
    const std::vector<char> image = ReadFile(HAL_VULKAN_TEST_SAXPY_PATH);
    EXPECT_FALSE(image.empty());
    hal_drv_module* module = nullptr;
    EXPECT_EQ(CallModuleLoad(image.data(), image.size(), &module), HAL_SUCCESS)
        << table_->last_error_message();
    if (module != nullptr) modules_.push_back(module);
    return module;
  }

  // saxpy_f32 of `module` with the signature its manifest declares.
  hal_drv_kernel* SaxpyKernel(hal_drv_module* module) {
    hal_drv_kernel* kernel = nullptr;
    EXPECT_EQ(CallKernelGet(module, "saxpy_f32", kSaxpySignature, &kernel), HAL_SUCCESS)
        << table_->last_error_message();
    return kernel;
  }

  static constexpr hal_kernel_signature kSaxpySignature{2, sizeof(SaxpyConstants), {256, 1, 1}};

  // y += x over 8 Mi elements (32768 workgroups, below lavapipe's 65535 per
  // dimension): tens of milliseconds per dispatch on lavapipe. x is filled
  // with 1.0f and y with 0 on the stream.
  struct LongSaxpy {
    static constexpr uint32_t kN = 8u << 20;
    hal_drv_kernel* kernel = nullptr;
    hal_drv_buffer* y = nullptr;
    hal_binding bindings[2] = {};
    SaxpyConstants constants{1.0f, kN};
    hal_dispatch_desc desc{HAL_STRUCTURE_TYPE_DISPATCH_DESC,
                           nullptr,
                           {kN / 256, 1, 1},
                           bindings,
                           2,
                           &constants,
                           sizeof(constants)};
  };
  // Leaves saxpy.kernel null (with a test failure) if it cannot be set up.
  void SetUpLongSaxpy(LongSaxpy& saxpy) {
    hal_drv_module* module = LoadSaxpyModule();
    if (module == nullptr) return;
    constexpr uint64_t kBytes = uint64_t{LongSaxpy::kN} * sizeof(float);
    hal_drv_buffer* x = Allocate(kBytes);
    saxpy.y = Allocate(kBytes);
    saxpy.bindings[0] = {x, 0};
    saxpy.bindings[1] = {saxpy.y, 0};
    EXPECT_EQ(table_->stream_fill(stream_, x, 0, kBytes, 0x3f800000u), HAL_SUCCESS);
    EXPECT_EQ(table_->stream_fill(stream_, saxpy.y, 0, kBytes, 0), HAL_SUCCESS);
    saxpy.kernel = SaxpyKernel(module);
  }

  static hal_native_handle NativeHandle(hal_object_kind kind, const void* object) {
    hal_native_handle handle{};
    EXPECT_EQ(table_->native_handle(context_, kind, object, &handle), HAL_SUCCESS)
        << table_->last_error_message();
    return handle;
  }

  hal_drv_buffer* Allocate(uint64_t size, hal_buffer_kind kind = HAL_BUFFER_DEVICE) {
    hal_drv_buffer* buffer = nullptr;
    uint64_t allocated = 0;
    EXPECT_EQ(CallBufferAllocate(kind, size, &buffer, &allocated), HAL_SUCCESS)
        << table_->last_error_message();
    EXPECT_GE(allocated, size);
    buffers_.push_back(buffer);
    return buffer;
  }

  static inline std::string initialize_stderr_;  // what initialize() printed
};

}  // namespace hal::vulkan_abi_test

#endif  // HAL_BACKENDS_VULKAN_VULKAN_DRIVER_ABI_FIXTURE_H_
