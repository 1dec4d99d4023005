// Modules and kernels of the OpenCL driver through its C ABI: OpenCL C
// programs, the build log in a failed build's error, kernels checked against
// their signatures, dispatches by the kernel ABI (bindings at offsets too),
// and one kernel dispatched from two threads at once.
#include <thread>

#include "backends/opencl/opencl_driver_abi_fixture.h"

namespace hal::opencl_abi_test {
namespace {

constexpr char kBrokenSource[] = "__kernel void broken(__global float* y) { y[0] = undeclared; }";

TEST_F(OpenClDriverAbiTest, FailedBuildIsInvalidArgumentWithTheBuildLog) {
  hal_drv_module* module = nullptr;
  EXPECT_EQ(CallModuleLoad(kBrokenSource, sizeof(kBrokenSource) - 1, &module),
            HAL_ERROR_INVALID_ARGUMENT);
  const std::string message = table_->last_error_message();
  EXPECT_THAT(message, HasSubstr("clBuildProgram: CL_BUILD_PROGRAM_FAILURE (-11)"));
  EXPECT_THAT(message, HasSubstr("undeclared")) << "the build log names the error";
}

TEST_F(OpenClDriverAbiTest, SpirvOnADeviceWithoutIlIsInvalidArgument) {
  if (std::string(Properties().kernel_formats).find("spirv-opencl") != std::string::npos) {
    GTEST_SKIP() << "the device takes SPIR-V";
  }
  constexpr uint32_t kSpirvMagic[] = {0x07230203, 0x00010000, 0, 1, 0};
  const hal_module_desc desc{HAL_STRUCTURE_TYPE_MODULE_DESC, nullptr, "spirv-opencl", kSpirvMagic,
                             sizeof(kSpirvMagic)};
  hal_drv_module* module = nullptr;
  EXPECT_EQ(table_->module_load(context_, &desc, &module), HAL_ERROR_INVALID_ARGUMENT);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("takes no 'spirv-opencl' images"));
}

TEST_F(OpenClDriverAbiTest, MissingKernelIsNotFound) {
  hal_drv_module* module = LoadTestModule();
  ASSERT_NE(module, nullptr);
  hal_drv_kernel* kernel = nullptr;
  EXPECT_EQ(CallKernelGet(module, "absent", kScaleSignature, &kernel), HAL_ERROR_NOT_FOUND);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("'absent'"));
}

TEST_F(OpenClDriverAbiTest, SignaturesThatDifferFromTheKernelAreRefused) {
  hal_drv_module* module = LoadTestModule();
  ASSERT_NE(module, nullptr);
  struct Case {
    const char* kernel;
    hal_kernel_signature signature;
    const char* says;
  };
  const Case cases[] = {
      {"scale", {3, sizeof(ScaleConstants), {64, 1, 1}}, "declares 3 bindings and 8 bytes"},
      {"scale", {2, 0, {64, 1, 1}}, "but its signature declares 2 bindings and 0 bytes"},
      {"scale", {2, sizeof(ScaleConstants), {128, 1, 1}}, "reqd_work_group_size(64,1,1)"},
      {"constants_by_pointer", {1, 8, {64, 1, 1}}, "takes 2 bindings and 0 bytes"},
      {"mixed_arguments", {2, 4, {1, 1, 1}}, "does not follow the kernel ABI"},
  };
  for (const Case& test : cases) {
    hal_drv_kernel* kernel = nullptr;
    EXPECT_EQ(CallKernelGet(module, test.kernel, test.signature, &kernel),
              HAL_ERROR_INVALID_ARGUMENT)
        << test.says;
    EXPECT_THAT(table_->last_error_message(), HasSubstr(test.says));
  }
  // The kernel taken with its own signature is then refused another.
  ASSERT_NE(ScaleKernel(module), nullptr);
  hal_drv_kernel* kernel = nullptr;
  EXPECT_EQ(CallKernelGet(module, "scale", {2, sizeof(ScaleConstants), {32, 1, 1}}, &kernel),
            HAL_ERROR_INVALID_ARGUMENT);
}

TEST_F(OpenClDriverAbiTest, DispatchFollowsTheKernelAbi) {
  hal_drv_module* module = LoadTestModule();
  ASSERT_NE(module, nullptr);
  hal_drv_kernel* kernel = ScaleKernel(module);
  ASSERT_NE(kernel, nullptr);
  constexpr uint32_t kN = 1000;
  std::vector<float> x(kN);
  for (uint32_t i = 0; i < kN; ++i) x[i] = static_cast<float>(i);
  hal_drv_buffer* in = Upload(x);
  // y's binding starts one alignment in: a sub-buffer.
  const uint64_t offset = Properties().binding_offset_alignment;
  hal_drv_buffer* out = Allocate(offset + kN * sizeof(float));
  ASSERT_EQ(table_->stream_fill(stream_, out, 0, offset + kN * sizeof(float), 0), HAL_SUCCESS);
  const hal_binding bindings[] = {{in, 0}, {out, offset}};
  ASSERT_EQ(
      CallDispatch(stream_, kernel, {(kN + 63) / 64, 1, 1}, bindings, ScaleConstants{2.0f, kN}),
      HAL_SUCCESS)
      << table_->last_error_message();
  const std::vector<float> got = Download(out, kN, offset);
  for (uint32_t i = 0; i < kN; ++i) ASSERT_EQ(got[i], 2.0f * x[i]) << i;
  EXPECT_EQ(Download(out, 1)[0], 0.0f) << "nothing written before the binding's offset";
}

TEST_F(OpenClDriverAbiTest, OneKernelDispatchedFromTwoStreamsAtOnce) {
  hal_drv_module* module = LoadTestModule();
  ASSERT_NE(module, nullptr);
  hal_drv_kernel* kernel = ScaleKernel(module);
  ASSERT_NE(kernel, nullptr);
  constexpr uint32_t kN = 256;
  hal_drv_buffer* in = Upload(std::vector<float>(kN, 1.0f));
  hal_drv_buffer* outs[2] = {Allocate(kN * sizeof(float)), Allocate(kN * sizeof(float))};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      hal_drv_stream* stream = nullptr;
      ASSERT_EQ(table_->stream_create(context_, &kStreamDesc, &stream), HAL_SUCCESS);
      const hal_binding bindings[] = {{in, 0}, {outs[t], 0}};
      for (int round = 0; round < 50; ++round) {
        ASSERT_EQ(CallDispatch(stream, kernel, {kN / 64, 1, 1}, bindings,
                               ScaleConstants{static_cast<float>(t + 1), kN}),
                  HAL_SUCCESS);
      }
      EXPECT_EQ(table_->stream_synchronize(stream), HAL_SUCCESS);
      table_->stream_destroy(stream);
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(Download(outs[0], kN), std::vector<float>(kN, 1.0f));
  EXPECT_EQ(Download(outs[1], kN), std::vector<float>(kN, 2.0f));
}

TEST_F(OpenClDriverAbiTest, KernelWithoutArgumentsDispatches) {
  hal_drv_module* module = LoadTestModule();
  ASSERT_NE(module, nullptr);
  hal_drv_kernel* kernel = nullptr;
  ASSERT_EQ(CallKernelGet(module, "empty", {0, 0, {1, 1, 1}}, &kernel), HAL_SUCCESS)
      << table_->last_error_message();
  const hal_dispatch_desc desc{
      HAL_STRUCTURE_TYPE_DISPATCH_DESC, nullptr, {4, 2, 1}, nullptr, 0, nullptr, 0};
  ASSERT_EQ(table_->stream_dispatch(stream_, kernel, &desc), HAL_SUCCESS);
  EXPECT_EQ(table_->stream_synchronize(stream_), HAL_SUCCESS);
}

}  // namespace
}  // namespace hal::opencl_abi_test
