// The Level Zero driver's ABI tests: the built plugin dlopen'd and driven
// through its table alone, as the runtime drives it, over the fake Level
// Zero driver behind Debian's real loader (ZE_ENABLE_ALT_DRIVERS). The fake
// has one device with two sub-devices; kernels come from the fake's test
// bundle (scale_kernels.cl as SPIR-V, run through their CPU twins).
#include <dlfcn.h>
#include <stdlib.h>

#include <array>
#include <cstring>
#include <vector>

#include "backends/common/driver_abi_test_base.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/driver/hal_driver.h"
#include "tests/fake_level_zero/fake_ze_control.h"

namespace hal::level_zero_abi_test {
namespace {

using ::testing::HasSubstr;

inline constexpr char kFormat[] = "spirv-opencl";

struct ScaleConstants {
  float factor;
  uint32_t count;
  uint32_t unused;
};
constexpr hal_kernel_signature kScaleSignature{2, sizeof(ScaleConstants), {64, 1, 1}};

class LevelZeroDriverTest : public driver_abi_test::DriverAbiTestBase<kFormat> {
 protected:
  static void SetUpTestSuite() {
    // Read by the loader and the fake at the first zeInit of the process.
    setenv("ZE_ENABLE_ALT_DRIVERS", HAL_FAKE_ZE_LIBRARY, 1);
    setenv("HAL_FAKE_ZE_BUNDLES", HAL_FAKE_ZE_TEST_BUNDLE, 1);
    setenv("HAL_FAKE_ZE_CONFIG", "devices=1;subdevices=2;eus=32;memory_mib=64", 1);
    void* library = dlopen(HAL_LEVEL_ZERO_DRIVER_PATH, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(library, nullptr) << dlerror();
    const auto get_table =
        reinterpret_cast<hal_driver_get_table_fn>(dlsym(library, HAL_DRIVER_ENTRY_POINT_NAME));
    ASSERT_NE(get_table, nullptr);
    table_ = get_table(HAL_DRIVER_ABI_VERSION_MAJOR, HAL_DRIVER_ABI_VERSION_MINOR);
    ASSERT_NE(table_, nullptr);
    ASSERT_EQ(table_->initialize(), HAL_SUCCESS) << table_->last_error_message();
    void* fake = dlopen(HAL_FAKE_ZE_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(fake, nullptr) << dlerror();
    fail_next_ = reinterpret_cast<hal_fake_ze_fail_next_fn>(dlsym(fake, "hal_fake_ze_fail_next"));
    const hal_context_desc desc{HAL_STRUCTURE_TYPE_CONTEXT_DESC, nullptr, 0, 0};
    ASSERT_EQ(table_->context_create(0, &desc, &context_), HAL_SUCCESS)
        << table_->last_error_message();
    ASSERT_EQ(table_->stream_create(context_, &driver_abi_test::kStreamDesc, &stream_),
              HAL_SUCCESS);
  }

  static void TearDownTestSuite() {
    if (table_ == nullptr) return;
    if (stream_ != nullptr) table_->stream_destroy(stream_);
    if (context_ != nullptr) table_->context_destroy(context_);
    table_->shutdown();
  }

  static hal_drv_buffer* Allocate(uint64_t size, hal_buffer_kind kind = HAL_BUFFER_DEVICE) {
    hal_drv_buffer* buffer = nullptr;
    uint64_t allocated = 0;
    EXPECT_EQ(CallBufferAllocate(kind, size, &buffer, &allocated), HAL_SUCCESS)
        << table_->last_error_message();
    return buffer;
  }

  static std::vector<char> TestModule() {
    return driver_abi_test::ReadFile(HAL_FAKE_ZE_TEST_SPIRV);
  }

  static inline hal_drv_stream* stream_ = nullptr;
  static inline hal_fake_ze_fail_next_fn fail_next_ = nullptr;
};

TEST_F(LevelZeroDriverTest, PropertiesInTheAbisTerms) {
  const hal_device_properties props = Properties();
  EXPECT_THAT(props.name, HasSubstr("hal fake Level Zero GPU 0"));
  EXPECT_STREQ(props.vendor, "Intel");
  EXPECT_STREQ(props.kernel_formats, "spirv-opencl");
  EXPECT_EQ(props.device_type, HAL_DEVICE_TYPE_DISCRETE_GPU);
  EXPECT_EQ(props.total_memory_bytes, 64u << 20);
  EXPECT_EQ(props.compute_units, 64u);  // 2 sub-devices of 32 EUs
  EXPECT_EQ(props.partition_kind, HAL_PARTITION_SUBDEVICE);
  EXPECT_EQ(props.partition_max_units, 2u);
  EXPECT_EQ(props.partition_min_units, 1u);
  EXPECT_EQ(props.capabilities & HAL_CAPABILITY_VIRTUAL_MEMORY, HAL_CAPABILITY_VIRTUAL_MEMORY);
  EXPECT_EQ(props.virtual_memory_granularity, 64u << 10);
  EXPECT_EQ(props.timestamp_resolution_ns, 1u);
  EXPECT_EQ(table_->unusable_device_count(), 0u);
}

TEST_F(LevelZeroDriverTest, FillsAndCopiesInStreamOrder) {
  hal_drv_buffer* a = Allocate(1024);
  hal_drv_buffer* b = Allocate(1024);
  ASSERT_EQ(table_->stream_fill(stream_, a, 0, 1024, 0x01020304u), HAL_SUCCESS);
  std::vector<uint32_t> host(64, 7);
  ASSERT_EQ(table_->stream_copy_host_to_device(stream_, host.data(), a, 256, 256), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_buffer(stream_, a, 0, b, 0, 1024), HAL_SUCCESS);
  std::vector<uint32_t> out(256, 0);
  ASSERT_EQ(table_->stream_copy_device_to_host(stream_, b, 0, out.data(), 1024), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS) << table_->last_error_message();
  EXPECT_EQ(table_->stream_query(stream_), HAL_SUCCESS);
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i], i >= 64 && i < 128 ? 7u : 0x01020304u) << i;
  }
  void* mapped = nullptr;
  EXPECT_EQ(table_->buffer_map(context_, a, &mapped), HAL_ERROR_UNSUPPORTED);
  table_->buffer_free(context_, a);
  table_->buffer_free(context_, b);
}

TEST_F(LevelZeroDriverTest, HostStagingIsMapped) {
  hal_drv_buffer* staging = Allocate(100, HAL_BUFFER_HOST_STAGING);
  void* mapped = nullptr;
  ASSERT_EQ(table_->buffer_map(context_, staging, &mapped), HAL_SUCCESS);
  std::memset(mapped, 0x5a, 100);
  hal_drv_buffer* device = Allocate(100);
  ASSERT_EQ(table_->stream_copy_buffer(stream_, staging, 0, device, 0, 100), HAL_SUCCESS);
  std::vector<uint8_t> out(100);
  ASSERT_EQ(table_->stream_copy_device_to_host(stream_, device, 0, out.data(), 100), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS);
  EXPECT_EQ(out, std::vector<uint8_t>(100, 0x5a));
  table_->buffer_free(context_, staging);
  table_->buffer_free(context_, device);
}

TEST_F(LevelZeroDriverTest, DeviceOutOfMemoryNamesLevelZerosError) {
  fail_next_("zeMemAllocDevice", 0x70000003, 1);  // ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY
  hal_drv_buffer* buffer = nullptr;
  uint64_t allocated = 0;
  EXPECT_EQ(CallBufferAllocate(HAL_BUFFER_DEVICE, 64, &buffer, &allocated),
            HAL_ERROR_OUT_OF_MEMORY);
  EXPECT_THAT(table_->last_error_message(),
              HasSubstr("zeMemAllocDevice: ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY"));
}

TEST_F(LevelZeroDriverTest, DispatchPassesBindingsThenOneConstantsStruct) {
  const std::vector<char> image = TestModule();
  if (image.empty()) GTEST_SKIP() << "no test SPIR-V (clang-15 and llvm-spirv-15 build it)";
  hal_drv_module* module = nullptr;
  ASSERT_EQ(CallModuleLoad(image.data(), image.size(), &module), HAL_SUCCESS)
      << table_->last_error_message();
  hal_drv_kernel* kernel = nullptr;
  ASSERT_EQ(CallKernelGet(module, "scale_f32", kScaleSignature, &kernel), HAL_SUCCESS)
      << table_->last_error_message();
  constexpr uint32_t kCount = 100;  // two workgroups, the second partly used
  hal_drv_buffer* x = Allocate(kCount * sizeof(float));
  hal_drv_buffer* y = Allocate(kCount * sizeof(float));
  std::vector<float> input(kCount);
  for (uint32_t i = 0; i < kCount; ++i) input[i] = static_cast<float>(i);
  ASSERT_EQ(table_->stream_copy_host_to_device(stream_, input.data(), x, 0, sizeof(float) * kCount),
            HAL_SUCCESS);
  const hal_binding bindings[] = {{x, 0}, {y, 0}};
  ASSERT_EQ(CallDispatch(stream_, kernel, {2, 1, 1}, bindings, ScaleConstants{2.5f, kCount, 0}),
            HAL_SUCCESS)
      << table_->last_error_message();
  std::vector<float> output(kCount);
  ASSERT_EQ(
      table_->stream_copy_device_to_host(stream_, y, 0, output.data(), sizeof(float) * kCount),
      HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS) << table_->last_error_message();
  for (uint32_t i = 0; i < kCount; ++i) EXPECT_EQ(output[i], 2.5f * static_cast<float>(i)) << i;
  table_->buffer_free(context_, x);
  table_->buffer_free(context_, y);
  table_->module_destroy(module);
}

TEST_F(LevelZeroDriverTest, KernelSignaturesTheImageDisagreesWithAreRefused) {
  const std::vector<char> image = TestModule();
  if (image.empty()) GTEST_SKIP() << "no test SPIR-V (clang-15 and llvm-spirv-15 build it)";
  hal_drv_module* module = nullptr;
  ASSERT_EQ(CallModuleLoad(image.data(), image.size(), &module), HAL_SUCCESS);
  hal_drv_kernel* kernel = nullptr;
  EXPECT_EQ(CallKernelGet(module, "scale_f32", {2, 0, {64, 1, 1}}, &kernel),
            HAL_ERROR_INVALID_ARGUMENT);
  EXPECT_THAT(table_->last_error_message(),
              HasSubstr("push-constant struct of 12 bytes in its spirv-opencl image"));
  EXPECT_EQ(CallKernelGet(module, "scale_f32", {2, 12, {32, 1, 1}}, &kernel),
            HAL_ERROR_INVALID_ARGUMENT);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("requires workgroups of 64x1x1"));
  EXPECT_EQ(CallKernelGet(module, "no_such_kernel", kScaleSignature, &kernel), HAL_ERROR_NOT_FOUND);
  table_->module_destroy(module);
}

TEST_F(LevelZeroDriverTest, ARejectedImageCarriesTheBuildLog) {
  const uint32_t not_spirv[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  hal_drv_module* module = nullptr;
  EXPECT_EQ(CallModuleLoad(not_spirv, sizeof(not_spirv), &module), HAL_ERROR_INVALID_ARGUMENT);
  EXPECT_THAT(table_->last_error_message(),
              HasSubstr("zeModuleCreate: ZE_RESULT_ERROR_MODULE_BUILD_FAILURE"));
  EXPECT_THAT(table_->last_error_message(), HasSubstr("build log: hal fake Level Zero compiler"));
}

TEST_F(LevelZeroDriverTest, EventsCarryMonotonicDeviceTimestamps) {
  hal_drv_event* first = nullptr;
  hal_drv_event* second = nullptr;
  ASSERT_EQ(table_->event_create(context_, &driver_abi_test::kEventDesc, &first), HAL_SUCCESS);
  ASSERT_EQ(table_->event_create(context_, &driver_abi_test::kEventDesc, &second), HAL_SUCCESS);
  EXPECT_EQ(table_->event_query(first), HAL_NOT_READY);
  EXPECT_EQ(table_->event_synchronize(first), HAL_ERROR_FAILED_PRECONDITION);
  uint64_t ns = 0;
  EXPECT_EQ(table_->event_timestamp_ns(first, &ns), HAL_ERROR_FAILED_PRECONDITION);
  hal_drv_buffer* buffer = Allocate(1 << 20);
  ASSERT_EQ(table_->stream_signal_event(stream_, first), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_fill(stream_, buffer, 0, 1 << 20, 0), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_signal_event(stream_, second), HAL_SUCCESS);
  ASSERT_EQ(table_->event_synchronize(second), HAL_SUCCESS);
  EXPECT_EQ(table_->event_query(first), HAL_SUCCESS);
  uint64_t start = 0, end = 0;
  ASSERT_EQ(table_->event_timestamp_ns(first, &start), HAL_SUCCESS);
  ASSERT_EQ(table_->event_timestamp_ns(second, &end), HAL_SUCCESS);
  EXPECT_GT(start, 0u);
  EXPECT_GE(end, start);
  // Another stream waits for the event before its own work.
  hal_drv_stream* other = nullptr;
  ASSERT_EQ(table_->stream_create(context_, &driver_abi_test::kStreamDesc, &other), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_wait_event(other, second), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(other), HAL_SUCCESS);
  table_->stream_destroy(other);
  table_->buffer_free(context_, buffer);
  table_->event_destroy(first);
  table_->event_destroy(second);
}

TEST_F(LevelZeroDriverTest, PartitionsAreDisjointSubDevices) {
  const hal_context_desc one{HAL_STRUCTURE_TYPE_CONTEXT_DESC, nullptr, 1, 0};
  hal_drv_context* first = nullptr;
  hal_drv_context* second = nullptr;
  hal_drv_context* third = nullptr;
  ASSERT_EQ(table_->context_create(0, &one, &first), HAL_SUCCESS);
  ASSERT_EQ(table_->context_create(0, &one, &second), HAL_SUCCESS);
  uint32_t units = 0;
  ASSERT_EQ(table_->context_get_partition(first, &units), HAL_SUCCESS);
  EXPECT_EQ(units, 1u);
  EXPECT_EQ(table_->context_create(0, &one, &third), HAL_ERROR_OUT_OF_MEMORY);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("granted 1"));
  // A stream of a partition runs on its sub-device.
  hal_drv_stream* stream = nullptr;
  ASSERT_EQ(table_->stream_create(first, &driver_abi_test::kStreamDesc, &stream), HAL_SUCCESS);
  hal_native_handle handle{};
  ASSERT_EQ(table_->native_handle(first, HAL_OBJECT_STREAM, stream, &handle), HAL_SUCCESS);
  EXPECT_STREQ(handle.kind, "ze_command_list_handle_t");
  EXPECT_EQ(table_->stream_synchronize(stream), HAL_SUCCESS);
  table_->stream_destroy(stream);
  table_->context_destroy(second);
  ASSERT_EQ(table_->context_create(0, &one, &third), HAL_SUCCESS);
  table_->context_destroy(third);
  table_->context_destroy(first);
}

TEST_F(LevelZeroDriverTest, DecommittedBuffersKeepTheirAddress) {
  hal_drv_buffer* buffer = nullptr;
  uint64_t allocated = 0;
  ASSERT_EQ(CallBufferAllocate(HAL_BUFFER_DEVICE, 100000, &buffer, &allocated,
                               HAL_BUFFER_FLAG_DECOMMITTABLE),
            HAL_SUCCESS)
      << table_->last_error_message();
  EXPECT_EQ(allocated, 128u << 10);  // two 64 KiB pages
  uint64_t before = 0, after = 0;
  ASSERT_EQ(table_->buffer_device_address(context_, buffer, &before), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_fill(stream_, buffer, 0, 4096, 0xabababab), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS);
  ASSERT_EQ(table_->buffer_decommit(context_, buffer), HAL_SUCCESS);
  ASSERT_EQ(table_->buffer_recommit(context_, buffer), HAL_SUCCESS)
      << table_->last_error_message();
  ASSERT_EQ(table_->buffer_device_address(context_, buffer, &after), HAL_SUCCESS);
  EXPECT_EQ(before, after);
  ASSERT_EQ(table_->stream_fill(stream_, buffer, 0, 4096, 7), HAL_SUCCESS);
  uint32_t word = 0;
  ASSERT_EQ(table_->stream_copy_device_to_host(stream_, buffer, 4092, &word, 4), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS);
  EXPECT_EQ(word, 7u);
  table_->buffer_free(context_, buffer);
}

TEST_F(LevelZeroDriverTest, NativeHandlesAreLevelZerosObjects) {
  hal_native_handle handle{};
  ASSERT_EQ(table_->native_handle(context_, HAL_OBJECT_CONTEXT, context_, &handle), HAL_SUCCESS);
  EXPECT_STREQ(handle.kind, "ze_context_handle_t");
  EXPECT_NE(handle.value, 0u);
  hal_drv_buffer* buffer = Allocate(64);
  uint64_t address = 0;
  ASSERT_EQ(table_->buffer_device_address(context_, buffer, &address), HAL_SUCCESS);
  ASSERT_EQ(table_->native_handle(context_, HAL_OBJECT_BUFFER, buffer, &handle), HAL_SUCCESS);
  EXPECT_EQ(handle.value, address);
  table_->buffer_free(context_, buffer);
}

}  // namespace
}  // namespace hal::level_zero_abi_test
