// The fake libamdhip64 driven directly (linked, as the HIP runtime is linked
// by HIP programs; the driver dlopens the same library): configuration,
// errors, memory, CU-mask streams, events, virtual memory, and launches of
// the standard bundle's hsaco images checked against their metadata.
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/kernel_bundle.h"
#include "tests/fake_hip/fake_hip_control.h"
#include "tests/fake_hip/fake_hip_state.h"

namespace hal::fake::hip {
namespace {

using ::testing::HasSubstr;

class FakeHipTest : public ::testing::Test {
 protected:
  void Configure(const char* config, const char* archs = "") {
    hal_fake_hip_configure(config, archs);
    ASSERT_EQ(hipInit(0), hipSuccess) << hal_fake_hip_last_violation();
    ASSERT_EQ(hipSetDevice(0), hipSuccess);
  }
  void SetUp() override { Configure(""); }

  // The standard bundle's hsaco image for `arch`.
  std::vector<uint8_t> Hsaco(const std::string& arch) {
    if (!HAL_FAKE_HIP_HAVE_HIPCC) return {};
    absl::StatusOr<KernelBundle> bundle = KernelBundle::ReadFile(HAL_FAKE_HIP_STANDARD_BUNDLE);
    EXPECT_TRUE(bundle.ok()) << bundle.status();
    if (bundle.ok()) {
      for (const KernelImage& image : bundle->images()) {
        if (image.format == "hsaco:" + arch) return image.data;
      }
    }
    return {};
  }

  hipFunction_t Saxpy(hipModule_t* module) {
    const std::vector<uint8_t> image = Hsaco("gfx90a");
    EXPECT_FALSE(image.empty());
    EXPECT_EQ(hipModuleLoadData(module, image.data()), hipSuccess) << hal_fake_hip_last_violation();
    hipFunction_t saxpy = nullptr;
    EXPECT_EQ(hipModuleGetFunction(&saxpy, *module, "saxpy_f32"), hipSuccess);
    return saxpy;
  }

  void* Allocate(size_t size) {
    void* pointer = nullptr;
    EXPECT_EQ(hipMalloc(&pointer, size), hipSuccess);
    return pointer;
  }
};

#define HAL_FAKE_HIP_REQUIRE_HIPCC()                                                        \
  do {                                                                                    \
    if (!HAL_FAKE_HIP_HAVE_HIPCC) GTEST_SKIP() << "hipcc was not found: no hsaco images"; \
  } while (0)

struct SaxpyPush {
  float a;
  uint32_t n;
};

TEST_F(FakeHipTest, DevicesAndArchitecturesFromTheConfiguration) {
  Configure("devices=2;cus=104,60;memory_mib=64,32", "gfx90a:sramecc+:xnack-,gfx1030");
  int count = 0;
  ASSERT_EQ(hipGetDeviceCount(&count), hipSuccess);
  EXPECT_EQ(count, 2);
  hipDeviceProp_t props{};
  ASSERT_EQ(hipGetDeviceProperties(&props, 1), hipSuccess);
  EXPECT_STREQ(props.gcnArchName, "gfx1030");
  int cus = 0;
  ASSERT_EQ(hipDeviceGetAttribute(&cus, hipDeviceAttributeMultiprocessorCount, 1), hipSuccess);
  EXPECT_EQ(cus, 60);
  size_t total = 0;
  ASSERT_EQ(hipDeviceTotalMem(&total, 0), hipSuccess);
  EXPECT_EQ(total, size_t{64} << 20);
  EXPECT_EQ(hipSetDevice(2), hipErrorInvalidDevice);
  hipCtx_t first = nullptr, second = nullptr;
  ASSERT_EQ(hipDevicePrimaryCtxRetain(&first, 0), hipSuccess);
  ASSERT_EQ(hipDevicePrimaryCtxRetain(&second, 1), hipSuccess);
  EXPECT_NE(first, second);
  EXPECT_EQ(hipDevicePrimaryCtxRelease(0), hipSuccess);
  EXPECT_EQ(hipDevicePrimaryCtxRelease(0), hipErrorInvalidContext);
  EXPECT_STREQ(hipGetErrorName(hipErrorNoBinaryForGpu), "hipErrorNoBinaryForGpu");
  EXPECT_STREQ(hipGetErrorName(hipErrorInvalidImage), "hipErrorInvalidImage");
}

TEST_F(FakeHipTest, AMalformedConfigurationFailsHipInitWithTheReason) {
  hal_fake_hip_configure("devices=2;colour=3", "");
  EXPECT_EQ(hipInit(0), hipErrorInvalidValue);
  EXPECT_THAT(hal_fake_hip_last_violation(), HasSubstr("colour"));
  hal_fake_hip_configure("devices=2", "gfx90a,gfx908,gfx1030");
  EXPECT_EQ(hipInit(0), hipErrorInvalidValue);
  EXPECT_THAT(hal_fake_hip_last_violation(), HasSubstr("3 gcnArchNames for 2 devices"));
}

TEST_F(FakeHipTest, NoDeviceIsWhatDebiansRuntimeAnswers) {
  hal_fake_hip_configure("devices=0", "");
  ASSERT_EQ(hipInit(0), hipSuccess);
  int count = -1;
  EXPECT_EQ(hipGetDeviceCount(&count), hipErrorNoDevice);
  EXPECT_EQ(count, 0);
}

TEST_F(FakeHipTest, MemoryRunsOutAtItsCapacityAndInjectedFailuresComeFirst) {
  Configure("memory_mib=1");
  void* half = Allocate(512 << 10);
  EXPECT_EQ(hal_fake_hip_bytes_in_use(0), uint64_t{512} << 10);
  void* too_much = nullptr;
  EXPECT_EQ(hipMalloc(&too_much, 768 << 10), hipErrorOutOfMemory);
  hal_fake_hip_fail_next("hipMalloc", hipErrorOutOfMemory, 1);
  EXPECT_EQ(hipMalloc(&too_much, 4), hipErrorOutOfMemory);
  void* small = Allocate(4);
  EXPECT_EQ(hipFree(small), hipSuccess);
  EXPECT_EQ(hipFree(half), hipSuccess);
  EXPECT_EQ(hipFree(half), hipErrorInvalidValue);
  EXPECT_EQ(hal_fake_hip_bytes_in_use(0), 0u);
  EXPECT_EQ(hal_fake_hip_call_count("hipMalloc"), 4u);
}

TEST_F(FakeHipTest, TheConfiguredNthAllocationRunsOutOfMemory) {
  Configure("oom_at_malloc=2");
  void* first = Allocate(4);
  void* second = nullptr;
  EXPECT_EQ(hipMalloc(&second, 4), hipErrorOutOfMemory);
  void* third = Allocate(4);
  EXPECT_EQ(hipFree(first), hipSuccess);
  EXPECT_EQ(hipFree(third), hipSuccess);
}

TEST_F(FakeHipTest, CuMaskStreamsRecordTheirMask) {
  Configure("cus=40");
  hipStream_t low = nullptr, high = nullptr;
  const uint32_t low_mask[2] = {0xffffffffu, 0};
  const uint32_t high_mask[2] = {0, 0xffu};
  ASSERT_EQ(hipExtStreamCreateWithCUMask(&low, 2, low_mask), hipSuccess);
  ASSERT_EQ(hipExtStreamCreateWithCUMask(&high, 2, high_mask), hipSuccess);
  uint32_t read[2] = {};
  ASSERT_EQ(hal_fake_hip_stream_cu_mask(reinterpret_cast<uintptr_t>(high), read, 2), 2u);
  EXPECT_EQ(read[1], 0xffu);
  const uint32_t past_the_device[2] = {0, 0x100u};  // CU 40 of 40
  hipStream_t refused = nullptr;
  EXPECT_EQ(hipExtStreamCreateWithCUMask(&refused, 2, past_the_device), hipErrorInvalidValue);
  const uint32_t empty[1] = {0};
  EXPECT_EQ(hipExtStreamCreateWithCUMask(&refused, 1, empty), hipErrorInvalidValue);
  hipStream_t plain = nullptr;
  ASSERT_EQ(hipStreamCreateWithPriority(&plain, hipStreamNonBlocking, 0), hipSuccess);
  EXPECT_EQ(hal_fake_hip_stream_cu_mask(reinterpret_cast<uintptr_t>(plain), nullptr, 0), 0u);
  for (hipStream_t stream : {low, high, plain}) EXPECT_EQ(hipStreamDestroy(stream), hipSuccess);
  EXPECT_EQ(hipStreamDestroy(plain), hipErrorInvalidHandle);
}

TEST_F(FakeHipTest, ALaunchRunsTheCpuTwinAfterItsArgumentsAreChecked) {
  HAL_FAKE_HIP_REQUIRE_HIPCC();
  hipModule_t module = nullptr;
  hipFunction_t saxpy = Saxpy(&module);
  ASSERT_NE(saxpy, nullptr);
  constexpr uint32_t kN = 300;
  std::vector<float> x(kN, 2.0f), y(kN, 1.0f);
  void* dx = Allocate(kN * 4);
  void* dy = Allocate(kN * 4);
  ASSERT_EQ(hipMemcpyHtoDAsync(dx, x.data(), kN * 4, nullptr), hipSuccess);
  ASSERT_EQ(hipMemcpyHtoDAsync(dy, y.data(), kN * 4, nullptr), hipSuccess);
  SaxpyPush push{3.0f, kN};
  void* params[] = {&dx, &dy, &push};
  ASSERT_EQ(hipModuleLaunchKernel(saxpy, 2, 1, 1, 256, 1, 1, 0, nullptr, params, nullptr),
            hipSuccess)
      << hal_fake_hip_last_violation();
  // The same arguments through `extra`, packed at the metadata's offsets.
  struct {
    void* x;
    void* y;
    SaxpyPush push;
  } packed{dx, dy, {1.0f, kN}};
  size_t packed_size = sizeof(packed);
  void* extra[] = {HIP_LAUNCH_PARAM_BUFFER_POINTER, &packed, HIP_LAUNCH_PARAM_BUFFER_SIZE,
                   &packed_size, HIP_LAUNCH_PARAM_END};
  ASSERT_EQ(hipModuleLaunchKernel(saxpy, 2, 1, 1, 256, 1, 1, 0, nullptr, nullptr, extra),
            hipSuccess)
      << hal_fake_hip_last_violation();
  ASSERT_EQ(hipMemcpyDtoHAsync(y.data(), dy, kN * 4, nullptr), hipSuccess);
  ASSERT_EQ(hipStreamSynchronize(nullptr), hipSuccess);
  EXPECT_EQ(y[0], 9.0f);  // 3*2+1, then 1*2+7
  EXPECT_EQ(y[kN - 1], 9.0f);

  // A wrong packing is refused with the reason, never run.
  packed_size = 12;  // the push constants cut short
  EXPECT_EQ(hipModuleLaunchKernel(saxpy, 2, 1, 1, 256, 1, 1, 0, nullptr, nullptr, extra),
            hipErrorInvalidValue);
  EXPECT_THAT(hal_fake_hip_last_violation(), HasSubstr("holds 12 argument bytes, its metadata declares 24"));
  int on_host = 0;
  void* host_pointer = &on_host;
  void* stray[] = {&dx, &host_pointer, &push};  // a host pointer for binding 1
  EXPECT_EQ(hipModuleLaunchKernel(saxpy, 2, 1, 1, 256, 1, 1, 0, nullptr, stray, nullptr),
            hipErrorInvalidValue);
  EXPECT_THAT(hal_fake_hip_last_violation(), HasSubstr("no live allocation"));
  EXPECT_EQ(hipModuleLaunchKernel(saxpy, 2, 1, 1, 64, 1, 1, 0, nullptr, params, nullptr),
            hipErrorInvalidValue);
  EXPECT_THAT(hal_fake_hip_last_violation(), HasSubstr("workgroup size"));
  int threads = 0;
  ASSERT_EQ(hipFuncGetAttribute(&threads, HIP_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, saxpy),
            hipSuccess);
  EXPECT_EQ(threads, 256);
  EXPECT_EQ(hipModuleUnload(module), hipSuccess);
  EXPECT_EQ(hipModuleLaunchKernel(saxpy, 2, 1, 1, 256, 1, 1, 0, nullptr, params, nullptr),
            hipErrorInvalidHandle);
}

TEST_F(FakeHipTest, AnImageForAnotherArchitectureIsNoBinaryForGpu) {
  HAL_FAKE_HIP_REQUIRE_HIPCC();
  Configure("", "gfx908:sramecc+:xnack-");
  const std::vector<uint8_t> image = Hsaco("gfx90a");
  hipModule_t module = nullptr;
  EXPECT_EQ(hipModuleLoadData(&module, image.data()), hipErrorNoBinaryForGpu);
  EXPECT_THAT(hal_fake_hip_last_violation(), HasSubstr("(gfx90a) runs on gfx908"));
  const std::vector<uint8_t> own = Hsaco("gfx908");
  EXPECT_EQ(hipModuleLoadData(&module, own.data()), hipSuccess) << hal_fake_hip_last_violation();
  const uint8_t junk[64] = {1, 2, 3};
  EXPECT_EQ(hipModuleLoadData(&module, junk), hipErrorInvalidImage);
}

TEST_F(FakeHipTest, AFaultIsStickyOnItsDeviceAlone) {
  HAL_FAKE_HIP_REQUIRE_HIPCC();
  Configure("devices=2");
  hipModule_t module = nullptr;
  hipFunction_t saxpy = Saxpy(&module);
  void* dx = Allocate(1024);
  void* dy = Allocate(1024);
  SaxpyPush push{1.0f, 256};
  void* params[] = {&dx, &dy, &push};
  hal_fake_hip_inject_fault(0);
  ASSERT_EQ(hipModuleLaunchKernel(saxpy, 1, 1, 1, 256, 1, 1, 0, nullptr, params, nullptr),
            hipSuccess);
  EXPECT_EQ(hipStreamSynchronize(nullptr), hipErrorIllegalAddress);
  void* more = nullptr;
  EXPECT_EQ(hipMalloc(&more, 4), hipErrorIllegalAddress);
  ASSERT_EQ(hipSetDevice(1), hipSuccess);
  EXPECT_EQ(hipMalloc(&more, 4), hipSuccess);
}

TEST_F(FakeHipTest, EventsTimeTheStreamsWork) {
  hipEvent_t start = nullptr, stop = nullptr, untimed = nullptr;
  ASSERT_EQ(hipEventCreateWithFlags(&start, hipEventDefault), hipSuccess);
  ASSERT_EQ(hipEventCreateWithFlags(&stop, hipEventDefault), hipSuccess);
  ASSERT_EQ(hipEventCreateWithFlags(&untimed, hipEventDisableTiming), hipSuccess);
  float ms = -1;
  EXPECT_EQ(hipEventElapsedTime(&ms, start, stop), hipErrorInvalidHandle);  // never recorded
  void* buffer = Allocate(1 << 20);
  ASSERT_EQ(hipEventRecord(start, nullptr), hipSuccess);
  ASSERT_EQ(hipMemsetD32Async(buffer, 7, (1 << 20) / 4, nullptr), hipSuccess);
  ASSERT_EQ(hipEventRecord(stop, nullptr), hipSuccess);
  ASSERT_EQ(hipEventRecord(untimed, nullptr), hipSuccess);
  ASSERT_EQ(hipEventSynchronize(stop), hipSuccess);
  EXPECT_EQ(hipEventQuery(stop), hipSuccess);
  ASSERT_EQ(hipEventElapsedTime(&ms, start, stop), hipSuccess);
  EXPECT_GE(ms, 0.0f);
  EXPECT_EQ(hipEventElapsedTime(&ms, start, untimed), hipErrorInvalidHandle);
  int word = 0;
  ASSERT_EQ(hipMemcpyDtoHAsync(&word, buffer, 4, nullptr), hipSuccess);
  ASSERT_EQ(hipStreamSynchronize(nullptr), hipSuccess);
  EXPECT_EQ(word, 7);
  for (hipEvent_t event : {start, stop, untimed}) EXPECT_EQ(hipEventDestroy(event), hipSuccess);
}

TEST_F(FakeHipTest, VirtualMemoryKeepsItsContentsAcrossUnmapAndRemap) {
  hipMemAllocationProp prop{};
  prop.type = hipMemAllocationTypePinned;
  prop.location.type = hipMemLocationTypeDevice;
  prop.location.id = 0;
  size_t granularity = 0;
  ASSERT_EQ(hipMemGetAllocationGranularity(&granularity, &prop, hipMemAllocationGranularityMinimum),
            hipSuccess);
  void* base = nullptr;
  ASSERT_EQ(hipMemAddressReserve(&base, granularity, 0, nullptr, 0), hipSuccess);
  hipMemGenericAllocationHandle_t handle{};
  ASSERT_EQ(hipMemCreate(&handle, granularity, &prop, 0), hipSuccess);
  EXPECT_EQ(hal_fake_hip_bytes_in_use(0), granularity);
  hipMemAccessDesc access{};
  access.location = prop.location;
  access.flags = hipMemAccessFlagsProtReadWrite;
  ASSERT_EQ(hipMemMap(base, granularity, 0, handle, 0), hipSuccess);
  ASSERT_EQ(hipMemSetAccess(base, granularity, &access, 1), hipSuccess);
  ASSERT_EQ(hipMemsetD32Async(base, 0x5a5a5a5a, 4, nullptr), hipSuccess);
  ASSERT_EQ(hipStreamSynchronize(nullptr), hipSuccess);
  ASSERT_EQ(hipMemUnmap(base, granularity), hipSuccess);
  EXPECT_EQ(hipMemsetD32Async(base, 0, 4, nullptr), hipErrorInvalidValue);  // not mapped now
  ASSERT_EQ(hipMemMap(base, granularity, 0, handle, 0), hipSuccess);
  ASSERT_EQ(hipMemSetAccess(base, granularity, &access, 1), hipSuccess);
  uint32_t word = 0;
  std::memcpy(&word, base, 4);
  EXPECT_EQ(word, 0x5a5a5a5au);
  EXPECT_EQ(hipMemAddressFree(base, granularity), hipErrorInvalidValue);  // still mapped
  ASSERT_EQ(hipMemRelease(handle), hipSuccess);
  EXPECT_EQ(hal_fake_hip_bytes_in_use(0), granularity);  // kept while mapped
  ASSERT_EQ(hipMemUnmap(base, granularity), hipSuccess);
  EXPECT_EQ(hal_fake_hip_bytes_in_use(0), 0u);
  EXPECT_EQ(hipMemAddressFree(base, granularity), hipSuccess);

  Configure("vmm=0");
  EXPECT_EQ(hipMemGetAllocationGranularity(&granularity, &prop, hipMemAllocationGranularityMinimum),
            hipErrorNotSupported);
}

}  // namespace
}  // namespace hal::fake::hip
