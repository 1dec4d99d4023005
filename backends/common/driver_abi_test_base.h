// What the drivers' ABI tests share (test-only, header-only): the suite's
// table and context, and the table's calls with their ABI 2 descriptors built
// from plain arguments. A driver's fixture derives from
// DriverAbiTestBase<kModuleFormat> and loads its plugin in SetUpTestSuite.
#ifndef HAL_BACKENDS_COMMON_DRIVER_ABI_TEST_BASE_H_
#define HAL_BACKENDS_COMMON_DRIVER_ABI_TEST_BASE_H_

#include <dlfcn.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "hal/driver/hal_driver.h"

namespace hal::driver_abi_test {

inline constexpr hal_stream_desc kStreamDesc = {HAL_STRUCTURE_TYPE_STREAM_DESC, nullptr,
                                                HAL_STREAM_PRIORITY_NORMAL};
inline constexpr hal_event_desc kEventDesc = {HAL_STRUCTURE_TYPE_EVENT_DESC, nullptr, 0};

// The whole file; empty when it cannot be read.
inline std::vector<char> ReadFile(const char* path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

// `kModuleFormat` (an inline variable, one entity in every translation unit)
// names the images CallModuleLoad gives the driver.
template <const char* kModuleFormat>
class DriverAbiTestBase : public ::testing::Test {
 protected:
  static hal_result CallBufferAllocate(hal_buffer_kind kind, uint64_t size, hal_drv_buffer** out,
                                       uint64_t* out_allocated, uint32_t flags = 0) {
    const hal_buffer_desc desc{HAL_STRUCTURE_TYPE_BUFFER_DESC, nullptr, kind, flags, size};
    return table_->buffer_allocate(context_, &desc, out, out_allocated);
  }
  static hal_result CallModuleLoad(const void* image, size_t size, hal_drv_module** out) {
    const hal_module_desc desc{HAL_STRUCTURE_TYPE_MODULE_DESC, nullptr, kModuleFormat, image, size};
    return table_->module_load(context_, &desc, out);
  }
  static hal_result CallKernelGet(hal_drv_module* module, const char* name,
                                  const hal_kernel_signature& signature, hal_drv_kernel** out) {
    const hal_kernel_desc desc{HAL_STRUCTURE_TYPE_KERNEL_DESC, nullptr, name, signature};
    return table_->kernel_get(module, &desc, out);
  }
  // A dispatch of `kernel` over `workgroups` with `bindings` and `constants`
  // as its push-constant block.
  template <size_t kBindings, typename Constants>
  static hal_result CallDispatch(hal_drv_stream* stream, hal_drv_kernel* kernel,
                                 const std::array<uint32_t, 3>& workgroups,
                                 const hal_binding (&bindings)[kBindings],
                                 const Constants& constants) {
    const hal_dispatch_desc desc{HAL_STRUCTURE_TYPE_DISPATCH_DESC,
                                 nullptr,
                                 {workgroups[0], workgroups[1], workgroups[2]},
                                 bindings,
                                 static_cast<uint32_t>(kBindings),
                                 &constants,
                                 static_cast<uint32_t>(sizeof(constants))};
    return table_->stream_dispatch(stream, kernel, &desc);
  }
  static hal_device_properties Properties() {
    hal_device_properties props{};
    props.type = HAL_STRUCTURE_TYPE_DEVICE_PROPERTIES;
    EXPECT_EQ(table_->device_get_properties(0, &props), HAL_SUCCESS);
    return props;
  }

  static inline const hal_driver_table* table_ = nullptr;
  static inline hal_drv_context* context_ = nullptr;
};

// The fixture of a driver that may find no device here: the suite dlopens the
// built plugin, initializes it and makes one context, or skips every test
// saying why; each test gets a stream of its own, and the buffers and modules
// it lists in buffers_ and modules_ are released after it.
template <const char* kModuleFormat>
class PluginAbiTest : public DriverAbiTestBase<kModuleFormat> {
  using Base = DriverAbiTestBase<kModuleFormat>;

 protected:
  // `devices` names what was looked for in the skip reason ("no Vulkan
  // device: ..."); `initialize` calls the table's initialize (a fixture may
  // watch what it prints).
  static void OpenPlugin(const char* path, const char* devices,
                         hal_result (*initialize)(const hal_driver_table*) = &Initialize) {
    library_ = dlopen(path, RTLD_NOW | RTLD_LOCAL);
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
    if (initialize(table) != HAL_SUCCESS) {
      skip_reason_ = std::string("no ") + devices + " device: " + table->last_error_message();
      table->shutdown();
      return;
    }
    const hal_context_desc desc{HAL_STRUCTURE_TYPE_CONTEXT_DESC, nullptr, 0, 0};
    if (table->context_create(0, &desc, &Base::context_) != HAL_SUCCESS) {
      skip_reason_ = std::string("context_create: ") + table->last_error_message();
      table->shutdown();
      return;
    }
    Base::table_ = table;
  }

  static void TearDownTestSuite() {
    if (Base::table_ != nullptr) {
      Base::table_->context_destroy(Base::context_);
      Base::table_->shutdown();
    }
    Base::table_ = nullptr;
    if (library_ != nullptr) dlclose(library_);
    library_ = nullptr;
  }

  void SetUp() override {
    if (Base::table_ == nullptr) GTEST_SKIP() << skip_reason_;
    ASSERT_EQ(Base::table_->stream_create(Base::context_, &kStreamDesc, &stream_), HAL_SUCCESS);
  }

  void TearDown() override {
    if (stream_ != nullptr) Base::table_->stream_destroy(stream_);
    for (hal_drv_buffer* buffer : buffers_) Base::table_->buffer_free(Base::context_, buffer);
    for (hal_drv_module* module : modules_) Base::table_->module_destroy(module);
  }

  static inline void* library_ = nullptr;
  static inline std::string skip_reason_;
  hal_drv_stream* stream_ = nullptr;
  std::vector<hal_drv_buffer*> buffers_;
  std::vector<hal_drv_module*> modules_;

 private:
  static hal_result Initialize(const hal_driver_table* table) { return table->initialize(); }
};

}  // namespace hal::driver_abi_test

#endif  // HAL_BACKENDS_COMMON_DRIVER_ABI_TEST_BASE_H_
