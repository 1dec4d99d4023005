// The fake Level Zero driver through Debian's real loader (ZE_ENABLE_ALT_DRIVERS
// names it), driven by Level Zero calls alone, as hal's driver drives it.
#include <dlfcn.h>
#include <stdlib.h>
#include <level_zero/ze_api.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fake_level_zero/fake_ze_control.h"

namespace {

using ::testing::HasSubstr;

// The loader's entry points, resolved once.
struct Loader {
#define HAL_ZE_FUNCTION(name) decltype(&::name) name = nullptr;
  HAL_ZE_FUNCTION(zeInit)
  HAL_ZE_FUNCTION(zeDriverGet)
  HAL_ZE_FUNCTION(zeDeviceGet)
  HAL_ZE_FUNCTION(zeDeviceGetSubDevices)
  HAL_ZE_FUNCTION(zeDeviceGetCommandQueueGroupProperties)
  HAL_ZE_FUNCTION(zeContextCreate)
  HAL_ZE_FUNCTION(zeMemAllocDevice)
  HAL_ZE_FUNCTION(zeMemFree)
  HAL_ZE_FUNCTION(zeCommandListCreateImmediate)
  HAL_ZE_FUNCTION(zeCommandListDestroy)
  HAL_ZE_FUNCTION(zeCommandListAppendMemoryCopy)
  HAL_ZE_FUNCTION(zeCommandListAppendMemoryFill)
  HAL_ZE_FUNCTION(zeCommandListAppendBarrier)
  HAL_ZE_FUNCTION(zeCommandListAppendLaunchKernel)
  HAL_ZE_FUNCTION(zeEventPoolCreate)
  HAL_ZE_FUNCTION(zeEventPoolDestroy)
  HAL_ZE_FUNCTION(zeEventCreate)
  HAL_ZE_FUNCTION(zeEventDestroy)
  HAL_ZE_FUNCTION(zeEventHostSynchronize)
  HAL_ZE_FUNCTION(zeEventHostReset)
  HAL_ZE_FUNCTION(zeModuleCreate)
  HAL_ZE_FUNCTION(zeModuleDestroy)
  HAL_ZE_FUNCTION(zeModuleBuildLogGetString)
  HAL_ZE_FUNCTION(zeModuleBuildLogDestroy)
  HAL_ZE_FUNCTION(zeKernelCreate)
  HAL_ZE_FUNCTION(zeKernelDestroy)
  HAL_ZE_FUNCTION(zeKernelSetGroupSize)
  HAL_ZE_FUNCTION(zeKernelSetArgumentValue)
#undef HAL_ZE_FUNCTION
};

class FakeZeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Read by the loader and the fake at the first zeInit.
    setenv("ZE_ENABLE_ALT_DRIVERS", HAL_FAKE_ZE_LIBRARY, 1);
    setenv("HAL_FAKE_ZE_BUNDLES", HAL_FAKE_ZE_TEST_BUNDLE, 1);
    setenv("HAL_FAKE_ZE_CONFIG", "devices=1;subdevices=2", 1);
    void* loader = dlopen("libze_loader.so.1", RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(loader, nullptr) << dlerror();
    ze_ = new Loader();
#define HAL_ZE_RESOLVE(name) \
  ze_->name = reinterpret_cast<decltype(ze_->name)>(dlsym(loader, #name));
    HAL_ZE_RESOLVE(zeInit) HAL_ZE_RESOLVE(zeDriverGet) HAL_ZE_RESOLVE(zeDeviceGet)
    HAL_ZE_RESOLVE(zeDeviceGetSubDevices) HAL_ZE_RESOLVE(zeDeviceGetCommandQueueGroupProperties)
    HAL_ZE_RESOLVE(zeContextCreate) HAL_ZE_RESOLVE(zeMemAllocDevice) HAL_ZE_RESOLVE(zeMemFree)
    HAL_ZE_RESOLVE(zeCommandListCreateImmediate) HAL_ZE_RESOLVE(zeCommandListDestroy)
    HAL_ZE_RESOLVE(zeCommandListAppendMemoryCopy) HAL_ZE_RESOLVE(zeCommandListAppendMemoryFill)
    HAL_ZE_RESOLVE(zeCommandListAppendBarrier) HAL_ZE_RESOLVE(zeCommandListAppendLaunchKernel)
    HAL_ZE_RESOLVE(zeEventPoolCreate) HAL_ZE_RESOLVE(zeEventPoolDestroy)
    HAL_ZE_RESOLVE(zeEventCreate) HAL_ZE_RESOLVE(zeEventDestroy)
    HAL_ZE_RESOLVE(zeEventHostSynchronize) HAL_ZE_RESOLVE(zeEventHostReset)
    HAL_ZE_RESOLVE(zeModuleCreate) HAL_ZE_RESOLVE(zeModuleDestroy)
    HAL_ZE_RESOLVE(zeModuleBuildLogGetString) HAL_ZE_RESOLVE(zeModuleBuildLogDestroy)
    HAL_ZE_RESOLVE(zeKernelCreate) HAL_ZE_RESOLVE(zeKernelDestroy)
    HAL_ZE_RESOLVE(zeKernelSetGroupSize) HAL_ZE_RESOLVE(zeKernelSetArgumentValue)
#undef HAL_ZE_RESOLVE
    // The same file the loader opened: the same instance of the fake.
    void* fake = dlopen(HAL_FAKE_ZE_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(fake, nullptr) << dlerror();
    last_violation_ =
        reinterpret_cast<hal_fake_ze_last_violation_fn>(dlsym(fake, "hal_fake_ze_last_violation"));
    fail_next_ = reinterpret_cast<hal_fake_ze_fail_next_fn>(dlsym(fake, "hal_fake_ze_fail_next"));
    ASSERT_EQ(ze_->zeInit(0), ZE_RESULT_SUCCESS);
    uint32_t count = 1;
    ASSERT_EQ(ze_->zeDriverGet(&count, &driver_), ZE_RESULT_SUCCESS);
    count = 1;
    ASSERT_EQ(ze_->zeDeviceGet(driver_, &count, &device_), ZE_RESULT_SUCCESS);
    const ze_context_desc_t context_desc{ZE_STRUCTURE_TYPE_CONTEXT_DESC, nullptr, 0};
    ASSERT_EQ(ze_->zeContextCreate(driver_, &context_desc, &context_), ZE_RESULT_SUCCESS);
    const ze_command_queue_desc_t queue{ZE_STRUCTURE_TYPE_COMMAND_QUEUE_DESC, nullptr, 1, 0, 0,
                                        ZE_COMMAND_QUEUE_MODE_ASYNCHRONOUS,
                                        ZE_COMMAND_QUEUE_PRIORITY_NORMAL};
    ASSERT_EQ(ze_->zeCommandListCreateImmediate(context_, device_, &queue, &list_),
              ZE_RESULT_SUCCESS);
    const ze_event_pool_desc_t pool{ZE_STRUCTURE_TYPE_EVENT_POOL_DESC, nullptr,
                                    ZE_EVENT_POOL_FLAG_HOST_VISIBLE, 1};
    ASSERT_EQ(ze_->zeEventPoolCreate(context_, &pool, 0, nullptr, &pool_), ZE_RESULT_SUCCESS);
    const ze_event_desc_t event{ZE_STRUCTURE_TYPE_EVENT_DESC, nullptr, 0, 0, 0};
    ASSERT_EQ(ze_->zeEventCreate(pool_, &event, &done_), ZE_RESULT_SUCCESS);
  }

  // Waits for everything appended to the list so far.
  static void Finish() {
    ASSERT_EQ(ze_->zeEventHostReset(done_), ZE_RESULT_SUCCESS);
    ASSERT_EQ(ze_->zeCommandListAppendBarrier(list_, done_, 0, nullptr), ZE_RESULT_SUCCESS);
    ASSERT_EQ(ze_->zeEventHostSynchronize(done_, UINT64_MAX), ZE_RESULT_SUCCESS);
  }

  static void* AllocateDevice(size_t size) {
    const ze_device_mem_alloc_desc_t desc{ZE_STRUCTURE_TYPE_DEVICE_MEM_ALLOC_DESC, nullptr, 0, 0};
    void* pointer = nullptr;
    EXPECT_EQ(ze_->zeMemAllocDevice(context_, &desc, size, 64, device_, &pointer),
              ZE_RESULT_SUCCESS);
    return pointer;
  }

  static std::vector<uint8_t> TestModule() {
    std::ifstream file(HAL_FAKE_ZE_TEST_SPIRV, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  }

  static inline Loader* ze_ = nullptr;
  static inline hal_fake_ze_last_violation_fn last_violation_ = nullptr;
  static inline hal_fake_ze_fail_next_fn fail_next_ = nullptr;
  static inline ze_driver_handle_t driver_ = nullptr;
  static inline ze_device_handle_t device_ = nullptr;
  static inline ze_context_handle_t context_ = nullptr;
  static inline ze_command_list_handle_t list_ = nullptr;
  static inline ze_event_pool_handle_t pool_ = nullptr;
  static inline ze_event_handle_t done_ = nullptr;
};

TEST_F(FakeZeTest, ConfiguredSubDevicesAndAComputeGroup) {
  uint32_t count = 0;
  ASSERT_EQ(ze_->zeDeviceGetSubDevices(device_, &count, nullptr), ZE_RESULT_SUCCESS);
  EXPECT_EQ(count, 2u);
  ASSERT_EQ(ze_->zeDeviceGetCommandQueueGroupProperties(device_, &count, nullptr),
            ZE_RESULT_SUCCESS);
  std::vector<ze_command_queue_group_properties_t> groups(count);
  ASSERT_EQ(ze_->zeDeviceGetCommandQueueGroupProperties(device_, &count, groups.data()),
            ZE_RESULT_SUCCESS);
  EXPECT_EQ(groups[0].flags & ZE_COMMAND_QUEUE_GROUP_PROPERTY_FLAG_COMPUTE, 0u);
  EXPECT_NE(groups[1].flags & ZE_COMMAND_QUEUE_GROUP_PROPERTY_FLAG_COMPUTE, 0u);
}

TEST_F(FakeZeTest, FillAndCopyRoundTrip) {
  void* device = AllocateDevice(1024);
  const uint32_t pattern = 0xdeadbeef;
  ASSERT_EQ(ze_->zeCommandListAppendMemoryFill(list_, device, &pattern, 4, 1024, nullptr, 0,
                                               nullptr),
            ZE_RESULT_SUCCESS);
  std::vector<uint32_t> host(256, 0);
  ASSERT_EQ(ze_->zeCommandListAppendMemoryCopy(list_, host.data(), device, 1024, nullptr, 0,
                                               nullptr),
            ZE_RESULT_SUCCESS);
  Finish();
  EXPECT_EQ(host, std::vector<uint32_t>(256, pattern));
  // A copy past the allocation's end (1024 bytes rounded to 4096) is refused
  // before it runs.
  std::vector<uint8_t> large(8192);
  EXPECT_EQ(ze_->zeCommandListAppendMemoryCopy(list_, large.data(), device, large.size(), nullptr,
                                               0, nullptr),
            ZE_RESULT_ERROR_INVALID_ARGUMENT);
  EXPECT_THAT(last_violation_(), HasSubstr("run past the end"));
  EXPECT_EQ(ze_->zeMemFree(context_, device), ZE_RESULT_SUCCESS);
}

TEST_F(FakeZeTest, LaunchRunsTheTwinOnlyWithArgumentsMatchingTheSpirv) {
  const std::vector<uint8_t> spirv = TestModule();
  if (spirv.empty()) GTEST_SKIP() << "no test SPIR-V (clang-15 and llvm-spirv-15 build it)";
  const ze_module_desc_t desc{ZE_STRUCTURE_TYPE_MODULE_DESC, nullptr, ZE_MODULE_FORMAT_IL_SPIRV,
                              spirv.size(), spirv.data(), "", nullptr};
  ze_module_handle_t module = nullptr;
  ASSERT_EQ(ze_->zeModuleCreate(context_, device_, &desc, &module, nullptr), ZE_RESULT_SUCCESS);
  ze_kernel_handle_t kernel = nullptr;
  const ze_kernel_desc_t kernel_desc{ZE_STRUCTURE_TYPE_KERNEL_DESC, nullptr, 0, "scale_f32"};
  ASSERT_EQ(ze_->zeKernelCreate(module, &kernel_desc, &kernel), ZE_RESULT_SUCCESS);
  ASSERT_EQ(ze_->zeKernelSetGroupSize(kernel, 64, 1, 1), ZE_RESULT_SUCCESS);
  void* x = AllocateDevice(64 * sizeof(float));
  void* y = AllocateDevice(64 * sizeof(float));
  std::vector<float> input(64, 2.0f);
  ASSERT_EQ(ze_->zeCommandListAppendMemoryCopy(list_, x, input.data(), 256, nullptr, 0, nullptr),
            ZE_RESULT_SUCCESS);
  struct {
    float factor = 3.0f;
    uint32_t count = 64;
    uint32_t unused = 0;
  } constants;
  ASSERT_EQ(ze_->zeKernelSetArgumentValue(kernel, 0, sizeof(x), &x), ZE_RESULT_SUCCESS);
  // The struct taken as a pointer: the wrong size, refused at once.
  EXPECT_EQ(ze_->zeKernelSetArgumentValue(kernel, 2, sizeof(void*), &x),
            ZE_RESULT_ERROR_INVALID_KERNEL_ARGUMENT_SIZE);
  EXPECT_THAT(last_violation_(), HasSubstr("takes 12"));
  const ze_group_count_t groups{1, 1, 1};
  EXPECT_EQ(ze_->zeCommandListAppendLaunchKernel(list_, kernel, &groups, nullptr, 0, nullptr),
            ZE_RESULT_ERROR_INVALID_ARGUMENT);
  EXPECT_THAT(last_violation_(), HasSubstr("never set"));
  ASSERT_EQ(ze_->zeKernelSetArgumentValue(kernel, 1, sizeof(y), &y), ZE_RESULT_SUCCESS);
  ASSERT_EQ(ze_->zeKernelSetArgumentValue(kernel, 2, sizeof(constants), &constants),
            ZE_RESULT_SUCCESS);
  ASSERT_EQ(ze_->zeCommandListAppendLaunchKernel(list_, kernel, &groups, nullptr, 0, nullptr),
            ZE_RESULT_SUCCESS);
  std::vector<float> output(64, 0.0f);
  ASSERT_EQ(ze_->zeCommandListAppendMemoryCopy(list_, output.data(), y, 256, nullptr, 0, nullptr),
            ZE_RESULT_SUCCESS);
  Finish();
  EXPECT_EQ(output, std::vector<float>(64, 6.0f));
  EXPECT_EQ(ze_->zeKernelDestroy(kernel), ZE_RESULT_SUCCESS);
  EXPECT_EQ(ze_->zeModuleDestroy(module), ZE_RESULT_SUCCESS);
  EXPECT_EQ(ze_->zeMemFree(context_, x), ZE_RESULT_SUCCESS);
  EXPECT_EQ(ze_->zeMemFree(context_, y), ZE_RESULT_SUCCESS);
}

TEST_F(FakeZeTest, ARefusedModuleHasABuildLog) {
  const uint32_t not_spirv[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  const ze_module_desc_t desc{ZE_STRUCTURE_TYPE_MODULE_DESC, nullptr, ZE_MODULE_FORMAT_IL_SPIRV,
                              sizeof(not_spirv), reinterpret_cast<const uint8_t*>(not_spirv), "",
                              nullptr};
  ze_module_handle_t module = nullptr;
  ze_module_build_log_handle_t log = nullptr;
  EXPECT_EQ(ze_->zeModuleCreate(context_, device_, &desc, &module, &log),
            ZE_RESULT_ERROR_MODULE_BUILD_FAILURE);
  size_t size = 0;
  ASSERT_EQ(ze_->zeModuleBuildLogGetString(log, &size, nullptr), ZE_RESULT_SUCCESS);
  std::string text(size, '\0');
  ASSERT_EQ(ze_->zeModuleBuildLogGetString(log, &size, text.data()), ZE_RESULT_SUCCESS);
  EXPECT_THAT(text, HasSubstr("not a SPIR-V module"));
  EXPECT_EQ(ze_->zeModuleBuildLogDestroy(log), ZE_RESULT_SUCCESS);
}

TEST_F(FakeZeTest, InjectedFailuresAnswerTheNextCalls) {
  fail_next_("zeMemAllocDevice", ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY, 1);
  const ze_device_mem_alloc_desc_t desc{ZE_STRUCTURE_TYPE_DEVICE_MEM_ALLOC_DESC, nullptr, 0, 0};
  void* pointer = nullptr;
  EXPECT_EQ(ze_->zeMemAllocDevice(context_, &desc, 64, 64, device_, &pointer),
            ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY);
  pointer = AllocateDevice(64);
  EXPECT_EQ(ze_->zeMemFree(context_, pointer), ZE_RESULT_SUCCESS);
}

}  // namespace
