// Resolution, initialization, configuration, devices and contexts.
#include <gmock/gmock.h>

#include <cstring>

#include "tests/fake_cuda/fake_cuda_fixture.h"

namespace hal::fake::cuda {
namespace {

using ::testing::HasSubstr;

using ApiTest = FakeCudaTest;

TEST_F(ApiTest, ExportsOnlyGetProcAddressAndTheControlApi) {
  EXPECT_EQ(dlsym(control_.library, "cuInit"), nullptr);
  EXPECT_EQ(dlsym(control_.library, "cuMemAlloc_v2"), nullptr);
  EXPECT_EQ(dlsym(control_.library, "cuMemAlloc"), nullptr);
}

TEST_F(ApiTest, APlainNameBelowItsV2VersionResolvesToARefusingLegacyVariant) {
  auto legacy = Resolve<decltype(&::cuMemAlloc)>("cuMemAlloc", 3000);
  ASSERT_NE(legacy, nullptr);
  CUdeviceptr pointer = 0;
  EXPECT_EQ(legacy(&pointer, 16), CUDA_ERROR_NOT_SUPPORTED);
  EXPECT_THAT(control_.last_violation(), HasSubstr("legacy ABI requested: cuMemAlloc"));
  auto current = Resolve<decltype(&::cuMemAlloc)>("cuMemAlloc", 3020);
  ASSERT_NE(current, legacy);
  EXPECT_EQ(current(&pointer, 16), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuMemFree)(pointer), CUDA_SUCCESS);
  EXPECT_NE((Resolve<decltype(&::cuCtxPushCurrent)>("cuCtxPushCurrent", 3020)),
            CU(cuCtxPushCurrent));
}

TEST_F(ApiTest, UnknownNamesAndTooOldVersionsAreNotFound) {
  void* function = reinterpret_cast<void*>(1);
  CUdriverProcAddressQueryResult status{};
  EXPECT_EQ(get_proc_address_("cuNoSuchThing", &function, 12080, 0, &status),
            CUDA_ERROR_NOT_FOUND);
  EXPECT_EQ(status, CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND);
  EXPECT_EQ(function, nullptr);
  EXPECT_EQ(get_proc_address_("cuGreenCtxStreamCreate", &function, 12040, 0, &status),
            CUDA_ERROR_NOT_FOUND);
  EXPECT_EQ(status, CU_GET_PROC_ADDRESS_VERSION_NOT_SUFFICIENT);
  EXPECT_EQ(get_proc_address_("cuEventElapsedTime", &function, 12080, 0, &status), CUDA_SUCCESS);
  EXPECT_EQ(status, CU_GET_PROC_ADDRESS_SUCCESS);
}

TEST_F(ApiTest, ErrorNamesAreCudasOwn) {
  const char* name = nullptr;
  const char* text = nullptr;
  EXPECT_EQ(CU(cuGetErrorName)(CUDA_ERROR_ILLEGAL_ADDRESS, &name), CUDA_SUCCESS);
  EXPECT_STREQ(name, "CUDA_ERROR_ILLEGAL_ADDRESS");
  EXPECT_EQ(CU(cuGetErrorString)(CUDA_ERROR_STUB_LIBRARY, &text), CUDA_SUCCESS);
  EXPECT_THAT(text, HasSubstr("stub"));
  // 1000 names no error and lies within CUresult's range (0..1023), which
  // only defined values may leave.
  EXPECT_EQ(CU(cuGetErrorName)(static_cast<CUresult>(1000), &name), CUDA_ERROR_INVALID_VALUE);
}

TEST_F(ApiTest, FailNextInjectsResultsAndCallsAreCounted) {
  const uint64_t before = control_.call_count("cuMemAlloc");
  control_.fail_next("cuMemAlloc", CUDA_ERROR_OUT_OF_MEMORY, 2);
  CUdeviceptr pointer = 0;
  EXPECT_EQ(CU(cuMemAlloc)(&pointer, 64), CUDA_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(CU(cuMemAlloc)(&pointer, 64), CUDA_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(CU(cuMemAlloc)(&pointer, 64), CUDA_SUCCESS);
  EXPECT_EQ(control_.call_count("cuMemAlloc"), before + 3);
  EXPECT_EQ(CU(cuMemFree)(pointer), CUDA_SUCCESS);
}

TEST_F(ApiTest, CallsNeedingAContextFailWithoutOne) {
  CUcontext popped = nullptr;
  ASSERT_EQ(CU(cuCtxPopCurrent)(&popped), CUDA_SUCCESS);
  EXPECT_EQ(popped, context_);
  CUdeviceptr pointer = 0;
  EXPECT_EQ(CU(cuMemAlloc)(&pointer, 64), CUDA_ERROR_INVALID_CONTEXT);
  EXPECT_EQ(CU(cuCtxPopCurrent)(&popped), CUDA_ERROR_INVALID_CONTEXT);
  EXPECT_EQ(CU(cuCtxSetCurrent)(context_), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuMemAlloc)(&pointer, 64), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuMemFree)(pointer), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuCtxPushCurrent)(reinterpret_cast<CUcontext>(&pointer)),
            CUDA_ERROR_INVALID_CONTEXT);
}

class TwoDeviceTest : public FakeCudaTest {
  const char* Config() const override {
    return "devices=2;sm=90,80;sms=132,108;memory_mib=512,256;vmm=1,0;green=1,0";
  }
};

TEST_F(TwoDeviceTest, DevicesHaveTheConfiguredProperties) {
  int count = 0;
  ASSERT_EQ(CU(cuDeviceGetCount)(&count), CUDA_SUCCESS);
  EXPECT_EQ(count, 2);
  auto attribute = [&](CUdevice_attribute which, CUdevice device) {
    int value = -1;
    EXPECT_EQ(CU(cuDeviceGetAttribute)(&value, which, device), CUDA_SUCCESS);
    return value;
  };
  EXPECT_EQ(attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, 1), 8);
  EXPECT_EQ(attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, 1), 0);
  EXPECT_EQ(attribute(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, 0), 132);
  EXPECT_EQ(attribute(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, 1), 108);
  EXPECT_EQ(attribute(CU_DEVICE_ATTRIBUTE_VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED, 0), 1);
  EXPECT_EQ(attribute(CU_DEVICE_ATTRIBUTE_VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED, 1), 0);
  EXPECT_EQ(attribute(CU_DEVICE_ATTRIBUTE_PCI_BUS_ID, 1), 0x11);
  int value = 0;
  EXPECT_EQ(CU(cuDeviceGetAttribute)(&value, CU_DEVICE_ATTRIBUTE_CLOCK_RATE, 0),
            CUDA_ERROR_INVALID_VALUE);
  size_t total = 0;
  EXPECT_EQ(CU(cuDeviceTotalMem)(&total, 1), CUDA_SUCCESS);
  EXPECT_EQ(total, size_t{256} << 20);
  char name[128] = {};
  EXPECT_EQ(CU(cuDeviceGetName)(name, sizeof(name), 1), CUDA_SUCCESS);
  EXPECT_THAT(name, HasSubstr("test double"));
  char bus[32] = {};
  EXPECT_EQ(CU(cuDeviceGetPCIBusId)(bus, sizeof(bus), 1), CUDA_SUCCESS);
  EXPECT_STREQ(bus, "0000:11:00.0");
  CUuuid first{}, second{};
  EXPECT_EQ(CU(cuDeviceGetUuid)(&first, 0), CUDA_SUCCESS);
  EXPECT_EQ(CU(cuDeviceGetUuid)(&second, 1), CUDA_SUCCESS);
  EXPECT_NE(std::memcmp(first.bytes, second.bytes, sizeof(first.bytes)), 0);
  CUdevice device = -1;
  EXPECT_EQ(CU(cuDeviceGet)(&device, 2), CUDA_ERROR_INVALID_DEVICE);
  int version = 0;
  EXPECT_EQ(CU(cuDriverGetVersion)(&version), CUDA_SUCCESS);
  EXPECT_EQ(version, CUDA_VERSION);
}

TEST_F(ApiTest, AMalformedConfigurationFailsInitWithTheReason) {
  PopAllContexts();
  context_ = nullptr;  // gone with the old configuration
  control_.configure("devices=2;colour=blue");
  EXPECT_EQ(CU(cuInit)(0), CUDA_ERROR_INVALID_VALUE);
  EXPECT_THAT(control_.last_violation(), HasSubstr("unknown fake configuration key \"colour\""));
  int count = 0;
  EXPECT_EQ(CU(cuDeviceGetCount)(&count), CUDA_ERROR_NOT_INITIALIZED);
}

TEST_F(ApiTest, AnInjectedInitErrorIsWhatCuInitAnswers) {
  PopAllContexts();
  context_ = nullptr;
  control_.configure("init_error=34");
  EXPECT_EQ(CU(cuInit)(0), CUDA_ERROR_STUB_LIBRARY);
  int count = 0;
  EXPECT_EQ(CU(cuDeviceGetCount)(&count), CUDA_ERROR_NOT_INITIALIZED);
}

}  // namespace
}  // namespace hal::fake::cuda
