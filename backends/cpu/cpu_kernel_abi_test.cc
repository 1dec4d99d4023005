// The CPU driver's modules, kernels and dispatch through its C ABI alone.
#include "backends/cpu/cpu_driver_abi_fixture.h"

namespace hal::cpu_abi_test {
namespace {

// --- Modules and dispatch ---

TEST_F(CpuDriverAbiTest, RejectsAnImageThatIsNotASharedObject) {
  const std::string image(256, 'x');  // long enough for dlopen to read a header
  hal_drv_module* module = nullptr;
  EXPECT_EQ(CallModuleLoad(image.data(), image.size(), &module), HAL_ERROR_INVALID_ARGUMENT);
  // The message carries dlopen's own explanation.
  EXPECT_THAT(table_->last_error_message(), HasSubstr("cannot be loaded"));
  EXPECT_THAT(table_->last_error_message(), HasSubstr("invalid ELF header"));
}

TEST_F(CpuDriverAbiTest, ImageLoadedAfterADestroyedModuleIsNeverMistakenForIt) {
  // The test kernels are linked -z nodelete, so they stay loaded after
  // module_destroy; a bad image loaded next must still be rejected rather
  // than resolve to the stale object.
  const std::vector<char> kernels = ReadFile(HAL_CPU_TEST_KERNELS_PATH);
  hal_drv_module* module = nullptr;
  ASSERT_EQ(CallModuleLoad(kernels.data(), kernels.size(), &module), HAL_SUCCESS);
  table_->module_destroy(module);
  const std::string image = "still not an ELF file";
  EXPECT_EQ(CallModuleLoad(image.data(), image.size(), &module), HAL_ERROR_INVALID_ARGUMENT);
}

TEST_F(CpuDriverAbiTest, MissingKernelIsNotFound) {
  hal_drv_module* module = LoadTestKernels();
  ASSERT_NE(module, nullptr);
  const hal_kernel_signature signature{0, 0, {1, 1, 1}};
  hal_drv_kernel* kernel = nullptr;
  EXPECT_EQ(CallKernelGet(module, "no_such_kernel", signature, &kernel), HAL_ERROR_NOT_FOUND);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("\"no_such_kernel\""));
}

TEST_F(CpuDriverAbiTest, DispatchRunsEveryWorkgroupOfTheGridExactlyOnce) {
  hal_drv_stream* stream = CreateStream();
  hal_drv_kernel* kernel = CountKernel();
  ASSERT_NE(kernel, nullptr);
  ExpectEveryWorkgroupOnce(stream, kernel, {1, 1, 1});  // runs inline on the worker
  ExpectEveryWorkgroupOnce(stream, kernel, {7, 5, 3});
  ExpectEveryWorkgroupOnce(stream, kernel, {1000, 1, 1});
  ExpectEveryWorkgroupOnce(stream, kernel, {33, 17, 9});
  ExpectEveryWorkgroupOnce(stream, kernel, {1, 1, 257});
}

TEST_F(CpuDriverAbiTest, DispatchAppliesBindingOffsetsAndCopiesPushConstants) {
  constexpr uint32_t kCount = 10000;
  constexpr uint32_t kWorkgroupSize = 64;
  constexpr uint64_t kXOffset = 48;
  constexpr uint64_t kYOffset = 16;
  hal_drv_stream* stream = CreateStream();
  hal_drv_kernel* kernel = GetKernel(LoadTestKernels(), "hal_test_saxpy",
                                     hal_kernel_signature{2, 8, {kWorkgroupSize, 1, 1}});
  ASSERT_NE(kernel, nullptr);
  hal_drv_buffer* x = Allocate(kXOffset + kCount * sizeof(float));
  hal_drv_buffer* y = Allocate(kYOffset + (kCount + 1) * sizeof(float));
  float* host_x = reinterpret_cast<float*>(Map(x) + kXOffset);
  float* host_y = reinterpret_cast<float*>(Map(y) + kYOffset);
  for (uint32_t i = 0; i < kCount; ++i) {
    host_x[i] = static_cast<float>(i);
    host_y[i] = 1.0f;
  }
  host_y[kCount] = -1.0f;  // beyond n: must stay untouched

  const hal_binding bindings[2] = {{x, kXOffset}, {y, kYOffset}};
  SaxpyConstants constants{2.0f, kCount};
  const hal_dispatch_desc desc{HAL_STRUCTURE_TYPE_DISPATCH_DESC,
                               nullptr,
                               {(kCount + kWorkgroupSize - 1) / kWorkgroupSize, 1, 1},
                               bindings,
                               2,
                               &constants,
                               sizeof(constants)};
  Hold(stream);  // the dispatch must still be queued when the constants change
  ASSERT_EQ(table_->stream_dispatch(stream, kernel, &desc), HAL_SUCCESS);
  constants.a = 100.0f;
  Release();
  ASSERT_EQ(table_->stream_synchronize(stream), HAL_SUCCESS);

  for (uint32_t i = 0; i < kCount; ++i) {
    ASSERT_EQ(host_y[i], 2.0f * static_cast<float>(i) + 1.0f) << "element " << i;
  }
  EXPECT_EQ(host_y[kCount], -1.0f);
}

TEST_F(CpuDriverAbiTest, DispatchTellsTheKernelEachBindingsBytesFromItsOffset) {
  hal_drv_stream* stream = CreateStream();
  hal_drv_kernel* kernel =
      GetKernel(LoadTestKernels(), "hal_test_binding_sizes", hal_kernel_signature{3, 0, {1, 1, 1}});
  ASSERT_NE(kernel, nullptr);
  uint64_t allocated[3] = {};
  hal_drv_buffer* buffers[3] = {};
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(CallBufferAllocate(HAL_BUFFER_DEVICE, 1000 * (i + 1), &buffers[i], &allocated[i]),
              HAL_SUCCESS);
  }
  const uint64_t offsets[3] = {0, 64, allocated[2] - 16};
  const hal_binding bindings[3] = {
      {buffers[0], offsets[0]}, {buffers[1], offsets[1]}, {buffers[2], offsets[2]}};
  const hal_dispatch_desc desc{
      HAL_STRUCTURE_TYPE_DISPATCH_DESC, nullptr, {1, 1, 1}, bindings, 3, nullptr, 0};
  ASSERT_EQ(table_->stream_dispatch(stream, kernel, &desc), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_synchronize(stream), HAL_SUCCESS);
  const uint64_t* sizes = Map<uint64_t>(buffers[0]);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(sizes[i], allocated[i] - offsets[i]) << "binding " << i;
  for (hal_drv_buffer* buffer : buffers) table_->buffer_free(context_, buffer);
}

TEST_F(CpuDriverAbiTest, KernelGetRefusesAKernelWithoutASignature) {
  hal_drv_module* module = LoadTestKernels();
  const hal_kernel_signature signature{0, 0, {1, 1, 1}};
  hal_drv_kernel* kernel = nullptr;
  EXPECT_EQ(CallKernelGet(module, "hal_test_without_signature", signature, &kernel),
            HAL_ERROR_INVALID_ARGUMENT);
  EXPECT_THAT(table_->last_error_message(), AllOf(HasSubstr("hal_test_without_signature"),
                                                  HasSubstr("HAL_CPU_KERNEL_SIGNATURE")));
  EXPECT_EQ(kernel, nullptr);
}

TEST_F(CpuDriverAbiTest, KernelGetRefusesASignatureThatDiffersFromTheImages) {
  hal_drv_module* module = LoadTestKernels();
  const hal_kernel_signature declared{2, 8, {64, 1, 1}};  // hal_test_saxpy's own
  for (hal_kernel_signature wrong :
       {hal_kernel_signature{1, 8, {64, 1, 1}}, hal_kernel_signature{2, 4, {64, 1, 1}},
        hal_kernel_signature{2, 8, {64, 2, 1}}}) {
    hal_drv_kernel* kernel = nullptr;
    EXPECT_EQ(CallKernelGet(module, "hal_test_saxpy", wrong, &kernel), HAL_ERROR_INVALID_ARGUMENT);
    EXPECT_THAT(table_->last_error_message(),
                AllOf(HasSubstr("hal_test_saxpy"), HasSubstr("the bundle declares"),
                      HasSubstr("the image declares 2 bindings, 8 push-constant bytes, "
                                "workgroup size 64x1x1")));
    EXPECT_EQ(kernel, nullptr);
  }
  EXPECT_NE(GetKernel(module, "hal_test_saxpy", declared), nullptr);
}

TEST_F(CpuDriverAbiTest, StreamsOnSeveralThreadsShareThePool) {
  hal_drv_kernel* kernel = CountKernel();
  ASSERT_NE(kernel, nullptr);
  std::vector<hal_drv_stream*> streams = {CreateStream(), CreateStream(), CreateStream()};
  std::vector<std::thread> threads;
  for (hal_drv_stream* stream : streams) {
    threads.emplace_back([this, stream, kernel] {
      for (int i = 0; i < 5; ++i) ExpectEveryWorkgroupOnce(stream, kernel, {64, 8, 2});
    });
  }
  for (std::thread& thread : threads) thread.join();
}

}  // namespace
}  // namespace hal::cpu_abi_test
