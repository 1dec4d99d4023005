// The CUDA driver's modules and dispatch over the fake libcuda, which runs a
// kernel's CPU twin after checking the driver's kernelParams against the
// cubin's or PTX's own parameter layout; sticky errors and green contexts.
#include <string>

#include "backends/cuda/cuda_driver_abi_fixture.h"

namespace hal::cuda_abi_test {
namespace {

using ::testing::AllOf;
using ::testing::StartsWith;

using CudaKernelTest = CudaDriverTest;

TEST_F(CudaKernelTest, CubinAndPtxKernelsComputeWhatTheirTwinsDo) {
  for (const char* format : {"cubin:sm_90", "ptx"}) {
    SCOPED_TRACE(format);
    hal_drv_kernel* fill = FillKernel(context_, format);
    HAL_REQUIRE_KERNEL(fill);
    hal_drv_stream* stream = CreateStream(context_);
    constexpr uint32_t kCount = 1000;
    hal_drv_buffer* buffer = Allocate(kCount * sizeof(float) + 64);
    ASSERT_EQ(table_->stream_fill(stream, buffer, 0, kCount * sizeof(float) + 64, 0), HAL_SUCCESS);
    ASSERT_EQ(Fill(stream, fill, buffer, 2.5f, kCount), HAL_SUCCESS)
        << table_->last_error_message() << " / " << fake_.last_violation();
    const std::vector<float> out = Download<float>(stream, buffer, 0, kCount + 1);
    EXPECT_EQ(out[0], 2.5f);
    EXPECT_EQ(out[kCount - 1], 2.5f);
    EXPECT_EQ(out[kCount], 0.0f) << "past n";
    EXPECT_STREQ(fake_.last_violation(), "");
  }
}

TEST_F(CudaKernelTest, PushConstantsAndBindingOffsetsArePacked) {
  const std::vector<uint8_t> image = StandardImage("cubin:sm_90");
  if (image.empty()) GTEST_SKIP() << "the standard bundle has no CUDA images (no nvcc)";
  hal_drv_module* module = nullptr;
  ASSERT_EQ(LoadModule(context_, "cubin:sm_90", image, &module), HAL_SUCCESS);
  hal_drv_kernel* saxpy = nullptr;
  ASSERT_EQ(GetKernel(module, "saxpy_f32", {2, 8, {256, 1, 1}}, &saxpy), HAL_SUCCESS)
      << table_->last_error_message();
  hal_drv_stream* stream = CreateStream(context_);
  constexpr uint32_t kCount = 300;
  std::vector<float> x(kCount + 4), y(kCount + 4);
  for (uint32_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<float>(i);
    y[i] = 1.0f;
  }
  hal_drv_buffer* xs = Allocate(x.size() * sizeof(float));
  hal_drv_buffer* ys = Allocate(y.size() * sizeof(float));
  ASSERT_EQ(table_->stream_copy_host_to_device(stream, x.data(), xs, 0, x.size() * 4), HAL_SUCCESS);
  ASSERT_EQ(table_->stream_copy_host_to_device(stream, y.data(), ys, 0, y.size() * 4), HAL_SUCCESS);
  const hal_binding bindings[2] = {{xs, 16}, {ys, 0}};
  const ElementConstants constants{3.0f, kCount};
  const hal_dispatch_desc desc{HAL_STRUCTURE_TYPE_DISPATCH_DESC, nullptr, {2, 1, 1}, bindings, 2,
                               &constants, sizeof(constants)};
  ASSERT_EQ(table_->stream_dispatch(stream, saxpy, &desc), HAL_SUCCESS)
      << table_->last_error_message() << " / " << fake_.last_violation();
  const std::vector<float> out = Download<float>(stream, ys, 0, kCount + 1);
  EXPECT_EQ(out[0], 3.0f * 4 + 1);
  EXPECT_EQ(out[kCount - 1], 3.0f * (kCount - 1 + 4) + 1);
  EXPECT_EQ(out[kCount], 1.0f);
}

TEST_F(CudaKernelTest, AKernelWithAnotherSignatureIsRefusedNamingBoth) {
  const std::vector<uint8_t> image = StandardImage("cubin:sm_90");
  if (image.empty()) GTEST_SKIP() << "the standard bundle has no CUDA images (no nvcc)";
  hal_drv_module* module = nullptr;
  ASSERT_EQ(LoadModule(context_, "cubin:sm_90", image, &module), HAL_SUCCESS);
  hal_drv_kernel* kernel = nullptr;
  EXPECT_EQ(GetKernel(module, "saxpy_f32", {2, 12, {256, 1, 1}}, &kernel),
            HAL_ERROR_INVALID_ARGUMENT);
  EXPECT_THAT(table_->last_error_message(),
              AllOf(HasSubstr("saxpy_f32"), HasSubstr("parameters of 8, 8, 8 bytes"),
                    HasSubstr("2 bindings and 12 push-constant bytes")));
  EXPECT_EQ(GetKernel(module, "no_such_kernel", {0, 0, {1, 1, 1}}, &kernel), HAL_ERROR_NOT_FOUND);
  EXPECT_THAT(table_->last_error_message(),
              AllOf(HasSubstr("no_such_kernel"), HasSubstr("cuModuleGetFunction")));
  hal_drv_kernel* first = nullptr;
  hal_drv_kernel* again = nullptr;
  ASSERT_EQ(GetKernel(module, "saxpy_f32", {2, 8, {256, 1, 1}}, &first), HAL_SUCCESS);
  ASSERT_EQ(GetKernel(module, "saxpy_f32", {2, 8, {256, 1, 1}}, &again), HAL_SUCCESS);
  EXPECT_EQ(first, again);
  hal_native_handle handle{};
  ASSERT_EQ(table_->native_handle(context_, HAL_OBJECT_KERNEL, first, &handle), HAL_SUCCESS);
  EXPECT_STREQ(handle.kind, "CUfunction");
  ASSERT_EQ(table_->native_handle(context_, HAL_OBJECT_MODULE, module, &handle), HAL_SUCCESS);
  EXPECT_STREQ(handle.kind, "CUmodule");
}

TEST_F(CudaKernelTest, MalformedPtxIsRefusedWithTheJitLog) {
  const std::string ptx = ".version 8.0\n.target sm_75\n.entry broken( {\n";
  const std::vector<uint8_t> image(ptx.begin(), ptx.end());
  hal_drv_module* module = nullptr;
  EXPECT_EQ(LoadModule(context_, "ptx", image, &module), HAL_ERROR_INVALID_ARGUMENT);
  EXPECT_THAT(table_->last_error_message(),
              AllOf(StartsWith("cuModuleLoadDataEx: CUDA_ERROR_INVALID_PTX (218)"),
                    HasSubstr("ptx log: ")));
}

// A sticky error on one device's context loses that context, whose later
// calls fail fast; a context on the other device carries on.
class CudaStickyErrorTest : public CudaDriverTest {
 protected:
  const char* Config() const override { return "devices=2"; }
};

TEST_F(CudaStickyErrorTest, IllegalAddressLosesTheContextAndOnlyIt) {
  hal_drv_context* other = CreateContext(1);
  hal_drv_kernel* fill = FillKernel(context_);
  HAL_REQUIRE_KERNEL(fill);
  hal_drv_kernel* other_fill = FillKernel(other);
  hal_drv_stream* stream = CreateStream(context_);
  hal_drv_stream* other_stream = CreateStream(other);
  hal_drv_buffer* buffer = Allocate(1024);
  hal_drv_buffer* other_buffer = Allocate(other, 1024);
  fake_.inject_fault(0);
  ASSERT_EQ(Fill(stream, fill, buffer, 1.0f, 256), HAL_SUCCESS) << "the fault is asynchronous";
  EXPECT_EQ(table_->stream_synchronize(stream), HAL_ERROR_UNAVAILABLE);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("CUDA_ERROR_ILLEGAL_ADDRESS (700)"));
  EXPECT_EQ(table_->stream_synchronize(stream), HAL_ERROR_UNAVAILABLE);
  const uint64_t calls = fake_.call_count("cuMemAlloc");
  const hal_buffer_desc desc{HAL_STRUCTURE_TYPE_BUFFER_DESC, nullptr, HAL_BUFFER_DEVICE, 0, 4096};
  hal_drv_buffer* refused = nullptr;
  uint64_t allocated = 0;
  EXPECT_EQ(table_->buffer_allocate(context_, &desc, &refused, &allocated), HAL_ERROR_UNAVAILABLE);
  EXPECT_THAT(table_->last_error_message(),
              AllOf(HasSubstr("context is lost"), HasSubstr("CUDA_ERROR_ILLEGAL_ADDRESS")));
  EXPECT_EQ(fake_.call_count("cuMemAlloc"), calls) << "failed fast, without calling CUDA";
  EXPECT_EQ(Fill(stream, fill, buffer, 1.0f, 256), HAL_ERROR_UNAVAILABLE);

  ASSERT_EQ(Fill(other_stream, other_fill, other_buffer, 4.0f, 256), HAL_SUCCESS)
      << table_->last_error_message();
  EXPECT_EQ(Download<float>(other_stream, other_buffer, 1020, 1)[0], 4.0f);
}

class CudaGreenContextTest : public CudaDriverTest {
 protected:
  const char* Config() const override { return "sms=132"; }
};

TEST_F(CudaGreenContextTest, PartitionsAreGrantedRoundedAndDisjoint) {
  hal_drv_context* partition = CreateContext(0, 33);
  ASSERT_NE(partition, nullptr);
  uint32_t units = 0;
  ASSERT_EQ(table_->context_get_partition(partition, &units), HAL_SUCCESS);
  EXPECT_EQ(units, 40u) << "33 SMs rounded up to the alignment of 8, as on an H100";
  hal_drv_stream* stream = CreateStream(partition);
  hal_native_handle handle{};
  ASSERT_EQ(table_->native_handle(partition, HAL_OBJECT_STREAM, stream, &handle), HAL_SUCCESS);
  EXPECT_EQ(fake_.stream_sm_count(static_cast<uintptr_t>(handle.value)), 40u);
  hal_drv_context* second = CreateContext(0, 88);
  ASSERT_NE(second, nullptr);
  const hal_context_desc desc{HAL_STRUCTURE_TYPE_CONTEXT_DESC, nullptr, 8, 0};
  hal_drv_context* refused = nullptr;
  EXPECT_EQ(table_->context_create(0, &desc, &refused), HAL_ERROR_OUT_OF_MEMORY);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("4 of 132 SMs"));
  uint32_t whole = 0;
  ASSERT_EQ(table_->context_get_partition(context_, &whole), HAL_SUCCESS);
  EXPECT_EQ(whole, 132u) << "an unpartitioned context runs on the whole device";
}

TEST_F(CudaGreenContextTest, KernelsRunInAPartition) {
  hal_drv_context* partition = CreateContext(0, 16);
  hal_drv_kernel* fill = FillKernel(partition);
  HAL_REQUIRE_KERNEL(fill);
  hal_drv_stream* stream = CreateStream(partition);
  hal_drv_buffer* buffer = Allocate(partition, 1024);
  ASSERT_EQ(Fill(stream, fill, buffer, 7.0f, 256), HAL_SUCCESS) << table_->last_error_message();
  EXPECT_EQ(Download<float>(stream, buffer, 0, 1)[0], 7.0f);
}

}  // namespace
}  // namespace hal::cuda_abi_test
