// Modules from real nvcc output, run through their CPU twins after the
// launch is checked against the image's own parameter layout; sticky faults.
#include <gmock/gmock.h>

#include <cstdlib>
#include <vector>

#include "hal/kernel_bundle.h"
#include "tests/fake_cuda/fake_cuda_fixture.h"
#include "tests/fake_cuda/test_files.h"
#include "tests/test_folder.h"

namespace hal::fake::cuda {
namespace {

using ::testing::HasSubstr;

struct ScaleConstants {
  float factor;
  uint32_t count;
  uint32_t unused;
};

class KernelTest : public FakeCudaTest {
 protected:
  void SetUp() override {
    HAL_FAKE_CUDA_REQUIRE_NVCC();
    FakeCudaTest::SetUp();
    if (HasFatalFailure()) return;
    cubin_ = ReadBytes(TestData("scale_kernels.sm_90.cubin"));
    cubin_80_ = ReadBytes(TestData("scale_kernels.sm_80.cubin"));
    ptx_ = ReadBytes(TestData("scale_kernels.compute_75.ptx"));
    ptx_.push_back(0);  // cuModuleLoadDataEx takes PTX as a C string
    std::vector<uint8_t> ptx_text(ptx_.begin(), ptx_.end() - 1);
    absl::StatusOr<KernelBundle> bundle = KernelBundle::Create(
        {{"scale_f32", 2, sizeof(ScaleConstants), {64, 1, 1}},
         {"increment_u32", 1, 0, {32, 1, 1}}},
        {{"cubin:sm_90", "", cubin_},
         {"cubin:sm_80", "", cubin_80_},
         {"ptx", "", ptx_text},
         {"cpu-elf:x86_64", "", ReadBytes(HAL_FAKE_CUDA_TWINS_PATH)}});
    ASSERT_TRUE(bundle.ok()) << bundle.status();
    const std::vector<uint8_t> bytes = bundle->Serialize();
    const std::string path = folder_.Write("test.halb", std::string(bytes.begin(), bytes.end()));
    setenv("HAL_FAKE_CUDA_BUNDLES", path.c_str(), 1);
  }

  CUresult Load(const std::vector<uint8_t>& image, CUmodule* module, std::string* log = nullptr) {
    char buffer[1024] = {};
    CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
    void* values[] = {buffer, reinterpret_cast<void*>(sizeof(buffer))};
    const CUresult result = CU(cuModuleLoadDataEx)(module, image.data(), 2, options, values);
    if (log != nullptr) *log = buffer;
    return result;
  }

  CUfunction Function(CUmodule module, const char* name) {
    CUfunction function = nullptr;
    EXPECT_EQ(CU(cuModuleGetFunction)(&function, module, name), CUDA_SUCCESS);
    return function;
  }

  // Runs scale_f32 over 100 floats with factor 3 and checks the result.
  void RunScale(CUmodule module) {
    CUfunction scale = Function(module, "scale_f32");
    std::vector<float> host(128);
    for (int i = 0; i < 128; ++i) host[i] = static_cast<float>(i);
    CUdeviceptr x = Allocate(512);
    CUdeviceptr y = Allocate(512);
    ASSERT_EQ(CU(cuMemcpyHtoDAsync)(x, host.data(), 512, nullptr), CUDA_SUCCESS);
    ASSERT_EQ(CU(cuMemsetD32Async)(y, 0, 128, nullptr), CUDA_SUCCESS);
    ScaleConstants constants{3.0f, 100, 0};
    void* params[] = {&x, &y, &constants};
    ASSERT_EQ(CU(cuLaunchKernel)(scale, 2, 1, 1, 64, 1, 1, 0, nullptr, params, nullptr),
              CUDA_SUCCESS)
        << control_.last_violation();
    ASSERT_EQ(CU(cuMemcpyDtoHAsync)(host.data(), y, 512, nullptr), CUDA_SUCCESS);
    ASSERT_EQ(CU(cuStreamSynchronize)(nullptr), CUDA_SUCCESS);
    EXPECT_EQ(host[1], 3.0f);
    EXPECT_EQ(host[99], 297.0f);
    EXPECT_EQ(host[100], 0.0f);
    EXPECT_EQ(CU(cuMemFree)(x), CUDA_SUCCESS);
    EXPECT_EQ(CU(cuMemFree)(y), CUDA_SUCCESS);
  }

  hal::testing::TestFolder folder_;
  std::vector<uint8_t> cubin_;
  std::vector<uint8_t> cubin_80_;
  std::vector<uint8_t> ptx_;
};

TEST_F(KernelTest, ACubinRunsThroughItsCpuTwin) {
  CUmodule module = nullptr;
  ASSERT_EQ(Load(cubin_, &module), CUDA_SUCCESS) << control_.last_violation();
  RunScale(module);
  size_t offset = 0, size = 0;
  CUfunction scale = Function(module, "scale_f32");
  ASSERT_EQ(CU(cuFuncGetParamInfo)(scale, 2, &offset, &size), CUDA_SUCCESS);
  EXPECT_EQ(offset, 16u);
  EXPECT_EQ(size, sizeof(ScaleConstants));
  EXPECT_EQ(CU(cuFuncGetParamInfo)(scale, 3, &offset, &size), CUDA_ERROR_INVALID_VALUE);
  int threads = 0;
  ASSERT_EQ(CU(cuFuncGetAttribute)(&threads, CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, scale),
            CUDA_SUCCESS);
  EXPECT_EQ(threads, 64);  // its __launch_bounds__
  EXPECT_EQ(CU(cuFuncGetAttribute)(&threads, CU_FUNC_ATTRIBUTE_NUM_REGS, scale),
            CUDA_ERROR_INVALID_VALUE);
  CUfunction missing = nullptr;
  EXPECT_EQ(CU(cuModuleGetFunction)(&missing, module, "saxpy_f32"), CUDA_ERROR_NOT_FOUND);
  EXPECT_EQ(CU(cuModuleUnload)(module), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuModuleUnload)(module), CUDA_ERROR_INVALID_HANDLE);
}

TEST_F(KernelTest, PtxRunsThroughItsCpuTwin) {
  CUmodule module = nullptr;
  ASSERT_EQ(Load(ptx_, &module), CUDA_SUCCESS) << control_.last_violation();
  RunScale(module);
  EXPECT_EQ(CU(cuModuleUnload)(module), CUDA_SUCCESS);
}

TEST_F(KernelTest, ACubinForAnotherArchitectureIsRefused) {
  control_.configure("sm=86");
  PopAllContexts();
  ASSERT_EQ(CU(cuInit)(0), CUDA_SUCCESS);
  ASSERT_EQ(CU(cuDevicePrimaryCtxRetain)(&context_, 0), CUDA_SUCCESS);
  ASSERT_EQ(CU(cuCtxPushCurrent)(context_), CUDA_SUCCESS);
  CUmodule module = nullptr;
  std::string log;
  EXPECT_EQ(Load(cubin_, &module, &log), CUDA_ERROR_NO_BINARY_FOR_GPU);
  EXPECT_THAT(log, HasSubstr("sm_90 on a device of sm_86"));
  ASSERT_EQ(Load(cubin_80_, &module), CUDA_SUCCESS) << control_.last_violation();  // 8.0 on 8.6
  EXPECT_EQ(CU(cuModuleUnload)(module), CUDA_SUCCESS);
}

TEST_F(KernelTest, MalformedPtxGivesAJitLog) {
  std::vector<uint8_t> broken(ptx_.begin(), ptx_.begin() + ptx_.size() / 2);
  broken.push_back(0);
  CUmodule module = nullptr;
  std::string log;
  EXPECT_EQ(Load(broken, &module, &log), CUDA_ERROR_INVALID_PTX);
  EXPECT_THAT(log, HasSubstr("malformed PTX"));
  EXPECT_THAT(control_.last_violation(), HasSubstr("malformed PTX"));
}

TEST_F(KernelTest, AnImageWithoutATwinIsRefused) {
  const std::string ptx =
      ".version 8.0\n.target sm_75\n.address_size 64\n.visible .entry other(.param .u64 a) { ret; }\n";
  CUmodule module = nullptr;
  std::string log;
  EXPECT_EQ(Load(std::vector<uint8_t>(ptx.c_str(), ptx.c_str() + ptx.size() + 1), &module, &log),
            CUDA_ERROR_INVALID_PTX);
  EXPECT_THAT(log, HasSubstr("no CPU twin"));
  std::vector<uint8_t> cubin = cubin_;
  cubin[cubin.size() / 2] ^= 0xff;  // a different image: no twin
  EXPECT_EQ(Load(cubin, &module, &log), CUDA_ERROR_INVALID_IMAGE);
}

class LaunchRefusalTest : public KernelTest {
 protected:
  void SetUp() override {
    KernelTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_EQ(Load(cubin_, &module_), CUDA_SUCCESS) << control_.last_violation();
    scale_ = Function(module_, "scale_f32");
    x_ = Allocate(512);
    y_ = Allocate(512);
  }
  void TearDown() override {
    if (module_ != nullptr) {
      EXPECT_EQ(CU(cuMemFree)(x_), CUDA_SUCCESS);
      EXPECT_EQ(CU(cuMemFree)(y_), CUDA_SUCCESS);
      EXPECT_EQ(CU(cuModuleUnload)(module_), CUDA_SUCCESS);
    }
    KernelTest::TearDown();
  }
  CUresult Launch(void** params, unsigned int block = 64, void** extra = nullptr) {
    return CU(cuLaunchKernel)(scale_, 1, 1, 1, block, 1, 1, 0, nullptr, params, extra);
  }

  CUmodule module_ = nullptr;
  CUfunction scale_ = nullptr;
  CUdeviceptr x_ = 0;
  CUdeviceptr y_ = 0;
  ScaleConstants constants_{1.0f, 64, 0};
};

TEST_F(LaunchRefusalTest, AWrongBlockSizeIsRefused) {
  void* params[] = {&x_, &y_, &constants_};
  EXPECT_EQ(Launch(params, 128), CUDA_ERROR_INVALID_VALUE);
  EXPECT_THAT(control_.last_violation(), HasSubstr("workgroup size 64x1x1"));
}

TEST_F(LaunchRefusalTest, TooFewParametersAreRefused) {
  void* params[] = {&x_, &y_, nullptr};
  EXPECT_EQ(Launch(params), CUDA_ERROR_INVALID_VALUE);
  EXPECT_THAT(control_.last_violation(), HasSubstr("takes 3 parameters; kernelParams[2] is NULL"));
}

TEST_F(LaunchRefusalTest, APointerOutsideEveryAllocationIsRefused) {
  CUdeviceptr stray = y_ + 512;
  void* params[] = {&x_, &stray, &constants_};
  EXPECT_EQ(Launch(params), CUDA_ERROR_INVALID_VALUE);
  EXPECT_THAT(control_.last_violation(), HasSubstr("parameter 1"));
  EXPECT_THAT(control_.last_violation(), HasSubstr("no live allocation"));
}

TEST_F(LaunchRefusalTest, ExtraArgumentsAreRefused) {
  void* params[] = {&x_, &y_, &constants_};
  void* extra[] = {CU_LAUNCH_PARAM_END};
  EXPECT_EQ(Launch(params, 64, extra), CUDA_ERROR_INVALID_VALUE);
  EXPECT_THAT(control_.last_violation(), HasSubstr("`extra`"));
}

class StickyFaultTest : public KernelTest {
  const char* Config() const override { return "devices=2"; }
};

TEST_F(StickyFaultTest, AFaultIsStickyOnItsContextWhileAnotherCarriesOn) {
  CUmodule module = nullptr;
  ASSERT_EQ(Load(cubin_, &module), CUDA_SUCCESS);
  CUfunction increment = Function(module, "increment_u32");
  CUdeviceptr data = Allocate(128);
  control_.inject_fault(0);
  void* params[] = {&data};
  // The launch itself succeeds; the fault shows asynchronously.
  ASSERT_EQ(CU(cuLaunchKernel)(increment, 1, 1, 1, 32, 1, 1, 0, nullptr, params, nullptr),
            CUDA_SUCCESS);
  EXPECT_EQ(CU(cuStreamSynchronize)(nullptr), CUDA_ERROR_ILLEGAL_ADDRESS);
  CUdeviceptr more = 0;
  EXPECT_EQ(CU(cuMemAlloc)(&more, 64), CUDA_ERROR_ILLEGAL_ADDRESS);
  EXPECT_EQ(CU(cuLaunchKernel)(increment, 1, 1, 1, 32, 1, 1, 0, nullptr, params, nullptr),
            CUDA_ERROR_ILLEGAL_ADDRESS);
  CUevent event = nullptr;
  EXPECT_EQ(CU(cuEventCreate)(&event, 0), CUDA_ERROR_ILLEGAL_ADDRESS);
  EXPECT_EQ(CU(cuStreamQuery)(nullptr), CUDA_ERROR_ILLEGAL_ADDRESS);

  // Device 1's context is untouched.
  CUcontext other = nullptr;
  ASSERT_EQ(CU(cuDevicePrimaryCtxRetain)(&other, 1), CUDA_SUCCESS);
  ASSERT_EQ(CU(cuCtxPushCurrent)(other), CUDA_SUCCESS);
  CUmodule other_module = nullptr;
  ASSERT_EQ(Load(cubin_, &other_module), CUDA_SUCCESS);
  CUfunction other_increment = Function(other_module, "increment_u32");
  CUdeviceptr other_data = Allocate(128);
  ASSERT_EQ(CU(cuMemsetD32Async)(other_data, 41, 32, nullptr), CUDA_SUCCESS);
  void* other_params[] = {&other_data};
  ASSERT_EQ(CU(cuLaunchKernel)(other_increment, 1, 1, 1, 32, 1, 1, 0, nullptr, other_params,
                               nullptr),
            CUDA_SUCCESS);
  uint32_t word = 0;
  ASSERT_EQ(CU(cuMemcpyDtoHAsync)(&word, other_data + 124, 4, nullptr), CUDA_SUCCESS);
  ASSERT_EQ(CU(cuStreamSynchronize)(nullptr), CUDA_SUCCESS);
  EXPECT_EQ(word, 42u);
  EXPECT_EQ(CU(cuMemFree)(other_data), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuModuleUnload)(other_module), CUDA_SUCCESS);
  CUcontext popped = nullptr;
  ASSERT_EQ(CU(cuCtxPopCurrent)(&popped), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuDevicePrimaryCtxRelease)(1), CUDA_SUCCESS);
}

}  // namespace
}  // namespace hal::fake::cuda
