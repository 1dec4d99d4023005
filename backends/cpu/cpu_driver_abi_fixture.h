// The fixture of the CPU driver's ABI tests: the built plugin dlopen'd, its
// table taken, one context shared by the suite, and helpers that release what
// a test made. Nothing but the C ABI is called, as the runtime sees it.
#ifndef HAL_BACKENDS_CPU_CPU_DRIVER_ABI_FIXTURE_H_
#define HAL_BACKENDS_CPU_CPU_DRIVER_ABI_FIXTURE_H_

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "backends/common/driver_abi_test_base.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/driver/hal_driver.h"

namespace hal::cpu_abi_test {

using ::testing::AllOf;
using ::testing::HasSubstr;

#if defined(__x86_64__)
inline constexpr char kExpectedFormat[] = "cpu-elf:x86_64";
#elif defined(__aarch64__)
inline constexpr char kExpectedFormat[] = "cpu-elf:aarch64";
#endif

using driver_abi_test::kEventDesc;
using driver_abi_test::kStreamDesc;
using driver_abi_test::ReadFile;

struct CountConstants {
  uint32_t workgroup_size[3];
};
struct SaxpyConstants {
  float a;
  uint32_t n;
};

class CpuDriverAbiTest : public driver_abi_test::DriverAbiTestBase<kExpectedFormat> {
 protected:
  // One context for the whole suite, as the runtime and hal-cts share one.
  static void SetUpTestSuite() {
    library_ = dlopen(HAL_CPU_DRIVER_PATH, RTLD_NOW | RTLD_LOCAL);
    if (library_ == nullptr) {
      load_error_ = dlerror();
      return;
    }
    const auto get_table =
        reinterpret_cast<hal_driver_get_table_fn>(dlsym(library_, HAL_DRIVER_ENTRY_POINT_NAME));
    if (get_table == nullptr) {
      load_error_ = "no entry point";
      return;
    }
    get_table_ = get_table;
    table_ = get_table(HAL_DRIVER_ABI_VERSION_MAJOR, HAL_DRIVER_ABI_VERSION_MINOR);
    if (table_ == nullptr || table_->initialize() != HAL_SUCCESS) {
      load_error_ = "the driver refused the runtime's ABI version or failed to initialize";
      table_ = nullptr;
      return;
    }
    const hal_context_desc desc{HAL_STRUCTURE_TYPE_CONTEXT_DESC, nullptr, 0, 0};
    if (table_->context_create(0, &desc, &context_) != HAL_SUCCESS) {
      load_error_ = std::string("context_create: ") + table_->last_error_message();
      table_ = nullptr;
    }
  }

  static void TearDownTestSuite() {
    if (table_ == nullptr) return;
    table_->context_destroy(context_);
    table_->shutdown();
    // The library stays loaded: the process ends soon, and unloading code
    // whose threads have just been joined gains nothing.
  }

  void SetUp() override { ASSERT_NE(table_, nullptr) << load_error_; }

  // Streams go first: destroying one waits for work that may use the rest,
  // including a held dispatch that a failed assertion left unreleased.
  void TearDown() override {
    if (hold_flag_buffer_ != nullptr) Release();
    for (hal_drv_stream* stream : streams_) table_->stream_destroy(stream);
    for (hal_drv_event* event : events_) table_->event_destroy(event);
    for (hal_drv_module* module : modules_) table_->module_destroy(module);
    for (hal_drv_buffer* buffer : buffers_) table_->buffer_free(context_, buffer);
  }

  hal_drv_buffer* Allocate(uint64_t size, hal_buffer_kind kind = HAL_BUFFER_DEVICE,
                           uint32_t flags = 0) {
    hal_drv_buffer* buffer = nullptr;
    uint64_t allocated = 0;
    EXPECT_EQ(CallBufferAllocate(kind, size, &buffer, &allocated, flags), HAL_SUCCESS)
        << table_->last_error_message();
    Track(buffer);
    return buffer;
  }
  // Frees `buffer` (when not null) after the test.
  void Track(hal_drv_buffer* buffer) {
    std::lock_guard lock(tracking_mutex_);
    if (buffer != nullptr) buffers_.push_back(buffer);
  }

  template <typename T = uint8_t>
  T* Map(hal_drv_buffer* buffer) {
    void* host = nullptr;
    EXPECT_EQ(table_->buffer_map(context_, buffer, &host), HAL_SUCCESS);
    return static_cast<T*>(host);
  }

  hal_drv_stream* CreateStream() {
    hal_drv_stream* stream = nullptr;
    EXPECT_EQ(table_->stream_create(context_, &kStreamDesc, &stream), HAL_SUCCESS);
    std::lock_guard lock(tracking_mutex_);
    streams_.push_back(stream);
    return stream;
  }

  hal_drv_event* CreateEvent() {
    hal_drv_event* event = nullptr;
    EXPECT_EQ(table_->event_create(context_, &kEventDesc, &event), HAL_SUCCESS);
    std::lock_guard lock(tracking_mutex_);
    events_.push_back(event);
    return event;
  }

  hal_drv_module* LoadTestKernels() {
    const std::vector<char> image = ReadFile(HAL_CPU_TEST_KERNELS_PATH);
    EXPECT_FALSE(image.empty()) << "cannot read " << HAL_CPU_TEST_KERNELS_PATH;
    hal_drv_module* module = nullptr;
    EXPECT_EQ(CallModuleLoad(image.data(), image.size(), &module), HAL_SUCCESS)
        << table_->last_error_message();
    std::lock_guard lock(tracking_mutex_);
    if (module != nullptr) modules_.push_back(module);
    return module;
  }

  hal_drv_kernel* GetKernel(hal_drv_module* module, const char* name,
                            const hal_kernel_signature& signature) {
    hal_drv_kernel* kernel = nullptr;
    EXPECT_EQ(CallKernelGet(module, name, signature, &kernel), HAL_SUCCESS)
        << table_->last_error_message();
    return kernel;
  }

  uint64_t Timestamp(hal_drv_event* event) {
    uint64_t ns = 0;
    EXPECT_EQ(table_->event_timestamp_ns(event, &ns), HAL_SUCCESS) << table_->last_error_message();
    return ns;
  }

  // Dispatches hal_test_wait_for_flag, which holds `stream` until Release().
  void Hold(hal_drv_stream* stream) {
    if (hold_kernel_ == nullptr) {
      hold_kernel_ = GetKernel(LoadTestKernels(), "hal_test_wait_for_flag",
                               hal_kernel_signature{1, 0, {1, 1, 1}});
      hold_flag_buffer_ = Allocate(sizeof(uint32_t));
    }
    uint32_t* flag = Map<uint32_t>(hold_flag_buffer_);
    __atomic_store_n(flag, 0, __ATOMIC_RELEASE);
    const hal_binding binding{hold_flag_buffer_, 0};
    const hal_dispatch_desc desc{
        HAL_STRUCTURE_TYPE_DISPATCH_DESC, nullptr, {1, 1, 1}, &binding, 1, nullptr, 0};
    ASSERT_EQ(table_->stream_dispatch(stream, hold_kernel_, &desc), HAL_SUCCESS);
  }
  void Release() { __atomic_store_n(Map<uint32_t>(hold_flag_buffer_), 1, __ATOMIC_RELEASE); }

  // Runs hal_test_count_workgroups over `grid` on `stream` and checks that
  // every workgroup ran exactly once with the right arguments.
  void ExpectEveryWorkgroupOnce(hal_drv_stream* stream, hal_drv_kernel* kernel,
                                const uint32_t (&grid)[3]) {
    const uint64_t workgroups = uint64_t{grid[0]} * grid[1] * grid[2];
    hal_drv_buffer* counts = Allocate(workgroups * sizeof(uint32_t));
    hal_drv_buffer* errors = Allocate(sizeof(uint32_t));
    std::memset(Map(counts), 0, workgroups * sizeof(uint32_t));
    std::memset(Map(errors), 0, sizeof(uint32_t));
    const hal_binding bindings[2] = {{counts, 0}, {errors, 0}};
    const CountConstants constants{{4, 2, 1}};
    ASSERT_EQ(CallDispatch(stream, kernel, {grid[0], grid[1], grid[2]}, bindings, constants),
              HAL_SUCCESS);
    ASSERT_EQ(table_->stream_synchronize(stream), HAL_SUCCESS);
    EXPECT_EQ(Map<uint32_t>(errors)[0], 0u) << "calls with wrong ids or arguments";
    const uint32_t* visits = Map<uint32_t>(counts);
    for (uint64_t i = 0; i < workgroups; ++i) {
      ASSERT_EQ(visits[i], 1u) << "workgroup " << i << " of grid " << grid[0] << "x" << grid[1]
                               << "x" << grid[2];
    }
  }

  hal_drv_kernel* CountKernel() {
    return GetKernel(LoadTestKernels(), "hal_test_count_workgroups",
                     hal_kernel_signature{2, sizeof(CountConstants), {4, 2, 1}});
  }

  inline static void* library_ = nullptr;
  inline static hal_driver_get_table_fn get_table_ = nullptr;
  inline static std::string load_error_;

 private:
  // Objects to destroy after the test; tests may create them from threads.
  std::mutex tracking_mutex_;
  std::vector<hal_drv_stream*> streams_;
  std::vector<hal_drv_event*> events_;
  std::vector<hal_drv_module*> modules_;
  std::vector<hal_drv_buffer*> buffers_;
  hal_drv_kernel* hold_kernel_ = nullptr;
  hal_drv_buffer* hold_flag_buffer_ = nullptr;
};

}  // namespace hal::cpu_abi_test

#endif  // HAL_BACKENDS_CPU_CPU_DRIVER_ABI_FIXTURE_H_
