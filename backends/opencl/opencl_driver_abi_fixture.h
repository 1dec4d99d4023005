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

class OpenClDriverAbiTest : public hal::driver_abi_test::DriverAbiTestBase<kSourceFormat> {
 protected:
  static void SetUpTestSuite() {
    library_ = dlopen(HAL_OPENCL_DRIVER_PATH, RTLD_NOW | RTLD_LOCAL);
    if (library_ == nullptr) {
      skip_reason_ = dlerror();
      return;
    }
    const auto get_table =
        reinterpret_cast<hal_driver_get_table_fn>(dlsym(library_, HAL_DRIVER_ENTRY_POINT_NAME));
    const hal_driver_table* table = get_table == nullptr ? nullptr
                                                         : get_table(HAL_DRIVER_ABI_VERSION_MAJOR,
                                                                     HAL_DRIVER_ABI_VERSION_MINOR);
    if (table == nullptr) {
      skip_reason_ = "the driver exports no table for this ABI";
      return;
    }
    if (table->initialize() != HAL_SUCCESS) {
      skip_reason_ = std::string("no OpenCL device: ") + table->last_error_message();
      table->shutdown();
      return;
    }
    const hal_context_desc desc{HAL_STRUCTURE_TYPE_CONTEXT_DESC, nullptr, 0, 0};
    if (table->context_create(0, &desc, &context_) != HAL_SUCCESS) {
      skip_reason_ = std::string("context_create: ") + table->last_error_message();
      table->shutdown();
      return;
    }
    table_ = table;
  }

  static void TearDownTestSuite() {
    if (table_ != nullptr) {
      table_->context_destroy(context_);
      table_->shutdown();
    }
    table_ = nullptr;
    if (library_ != nullptr) dlclose(library_);
    library_ = nullptr;
  }

  void SetUp() override {
    if (table_ == nullptr) GTEST_SKIP() << skip_reason_;
    ASSERT_EQ(table_->stream_create(context_, &kStreamDesc, &stream_), HAL_SUCCESS);
  }

  void TearDown() override {
    if (stream_ != nullptr) table_->stream_destroy(stream_);
    for (hal_drv_buffer* buffer : buffers_) table_->buffer_free(context_, buffer);
    for (hal_drv_module* module : modules_) table_->module_destroy(module);
  }

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

  static inline void* library_ = nullptr;
  static inline std::string skip_reason_;
  hal_drv_stream* stream_ = nullptr;
  std::vector<hal_drv_buffer*> buffers_;
  std::vector<hal_drv_module*> modules_;
};

}  // namespace hal::opencl_abi_test

#endif  // HAL_BACKENDS_OPENCL_OPENCL_DRIVER_ABI_FIXTURE_H_
