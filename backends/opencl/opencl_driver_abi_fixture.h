// The fixture of the OpenCL driver's ABI tests: the built plugin dlopen'd,
// its table taken, one context shared by the suite, the tests' kernel source
// (opencl_test_kernels.cl) and helpers that release what a test made.
// Nothing but the C ABI is called, as the runtime sees it; the suite skips,
// saying why, where no OpenCL platform is installed. ctest pins the ICD list
// to pocl (OCL_ICD_VENDORS).
#ifndef HAL_BACKENDS_OPENCL_OPENCL_DRIVER_ABI_FIXTURE_H_
#define HAL_BACKENDS_OPENCL_OPENCL_DRIVER_ABI_FIXTURE_H_

#include <dlfcn.h>

#include <cstdint>
#include <string>
#include <vector>

#include "backends/common/driver_abi_test_base.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/driver/hal_driver.h"

namespace hal::opencl_abi_test {

using ::testing::HasSubstr;

struct ScaleConstants {
  float a;
  uint32_t n;
};

inline constexpr char kSourceFormat[] = "opencl-c";
inline constexpr hal_kernel_signature kScaleSignature{2, sizeof(ScaleConstants), {64, 1, 1}};

using hal::driver_abi_test::kEventDesc;
using hal::driver_abi_test::kStreamDesc;
using hal::driver_abi_test::ReadFile;

class OpenClDriverAbiTest : public hal::driver_abi_test::PluginAbiTest<kSourceFormat> {
 protected:
  static void SetUpTestSuite() { OpenPlugin(HAL_OPENCL_DRIVER_PATH, "OpenCL"); }

  // The tests' kernels as a module (destroyed in TearDown); null, with a test
  // failure, if they do not build.
  hal_drv_module* LoadTestModule(hal_drv_context* context = context_) {
    const std::vector<char> source = ReadFile(HAL_OPENCL_TEST_KERNELS_PATH);
    EXPECT_FALSE(source.empty());
    const hal_module_desc desc{HAL_STRUCTURE_TYPE_MODULE_DESC, nullptr, kSourceFormat,
                               source.data(), source.size()};
    hal_drv_module* module = nullptr;
    EXPECT_EQ(table_->module_load(context, &desc, &module), HAL_SUCCESS)
        << table_->last_error_message();
    if (module != nullptr) modules_.push_back(module);
    return module;
  }

  hal_drv_kernel* ScaleKernel(hal_drv_module* module) {
    hal_drv_kernel* kernel = nullptr;
    EXPECT_EQ(CallKernelGet(module, "scale", kScaleSignature, &kernel), HAL_SUCCESS)
        << table_->last_error_message();
    return kernel;
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

  // Uploads `values` into a new device buffer through the test's stream,
  // waiting for the copy (host memory must outlive it: `values` may be a
  // temporary).
  hal_drv_buffer* Upload(const std::vector<float>& values) {
    hal_drv_buffer* buffer = Allocate(values.size() * sizeof(float));
    EXPECT_EQ(table_->stream_copy_host_to_device(stream_, values.data(), buffer, 0,
                                                 values.size() * sizeof(float)),
              HAL_SUCCESS);
    EXPECT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS);
    return buffer;
  }

  std::vector<float> Download(hal_drv_buffer* buffer, size_t count, uint64_t offset = 0) {
    std::vector<float> values(count);
    EXPECT_EQ(table_->stream_copy_device_to_host(stream_, buffer, offset, values.data(),
                                                 count * sizeof(float)),
              HAL_SUCCESS);
    EXPECT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS) << table_->last_error_message();
    return values;
  }
};

}  // namespace hal::opencl_abi_test

#endif  // HAL_BACKENDS_OPENCL_OPENCL_DRIVER_ABI_FIXTURE_H_
