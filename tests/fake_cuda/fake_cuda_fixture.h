// A fixture that drives the fake libcuda.so.1 the way a driver does: dlopen,
// cuGetProcAddress_v2 at pinned versions, cuInit, the primary context of
// device 0 current. The fake's folder is first in LD_LIBRARY_PATH (ctest).
#ifndef HAL_TESTS_FAKE_CUDA_FAKE_CUDA_FIXTURE_H_
#define HAL_TESTS_FAKE_CUDA_FAKE_CUDA_FIXTURE_H_

#include <cuda.h>
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/fake_cuda/fake_cuda_control.h"

namespace hal::fake::cuda {

using GetProcAddress = CUresult(CUDAAPI*)(const char*, void**, int, cuuint64_t,
                                          CUdriverProcAddressQueryResult*);

// An entry point by its cuda.h name: the plain name is what
// cuGetProcAddress_v2 takes, the type is that of the _v2 symbol cuda.h maps
// the name to.
#define CU(name) Resolve<decltype(&::name)>(#name)

class FakeCudaTest : public ::testing::Test {
 protected:
  // The configuration of the fake for this test (control API syntax).
  virtual const char* Config() const { return ""; }

  void SetUp() override {
    std::string error;
    ASSERT_TRUE(hal_fake_cuda_control_load(&control_, &error)) << error;
    get_proc_address_ =
        reinterpret_cast<GetProcAddress>(dlsym(control_.library, "cuGetProcAddress_v2"));
    ASSERT_NE(get_proc_address_, nullptr);
    control_.configure(Config());
    ASSERT_EQ(Resolve<decltype(&::cuInit)>("cuInit")(0), CUDA_SUCCESS)
        << control_.last_violation();
    ASSERT_EQ(CU(cuDevicePrimaryCtxRetain)(&context_, 0), CUDA_SUCCESS);
    ASSERT_EQ(CU(cuCtxPushCurrent)(context_), CUDA_SUCCESS);
  }

  void TearDown() override {
    if (context_ == nullptr) return;
    PopAllContexts();
    EXPECT_EQ(CU(cuDevicePrimaryCtxRelease)(0), CUDA_SUCCESS);
  }

  // Before a test configures the fake again (which discards every context).
  void PopAllContexts() {
    CUcontext popped = nullptr;
    while (CU(cuCtxPopCurrent)(&popped) == CUDA_SUCCESS) {
    }
  }

  // The entry point `name` at `version` (the driver's pin: 12000, or the
  // version that brought the entry point).
  template <typename Function>
  Function Resolve(const char* name, int version = 12080) {
    void* function = nullptr;
    CUdriverProcAddressQueryResult status{};
    const CUresult result =
        get_proc_address_(name, &function, version, CU_GET_PROC_ADDRESS_DEFAULT, &status);
    EXPECT_EQ(result, CUDA_SUCCESS) << name;
    return reinterpret_cast<Function>(function);
  }

  CUdeviceptr Allocate(size_t size) {
    CUdeviceptr pointer = 0;
    EXPECT_EQ(CU(cuMemAlloc)(&pointer, size), CUDA_SUCCESS);
    return pointer;
  }

  HalFakeCudaControl control_;
  GetProcAddress get_proc_address_ = nullptr;
  CUcontext context_ = nullptr;
};

}  // namespace hal::fake::cuda

#endif  // HAL_TESTS_FAKE_CUDA_FAKE_CUDA_FIXTURE_H_
