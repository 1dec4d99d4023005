// The HIP driver through its table over the fake libamdhip64
// (tests/fake_hip; LD_LIBRARY_PATH puts it first): what is HIP's own in it,
// on the core the CUDA driver's ABI tests cover in full. A test's
// configuration is "HAL_FAKE_HIP_CONFIG|HAL_FAKE_HIP_ARCHS".
#include <dlfcn.h>

#include <bit>
#include <cstring>
#include <string>
#include <vector>

#include "backends/gpu_core/driver_abi_fixture.h"
#include "backends/hip/hip_entry_points.h"
#include "tests/fake_hip/fake_hip_control.h"

namespace hal::hip_abi_test {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Pair;

// The fake's control functions, from the libamdhip64.so the driver opens.
struct FakeHipControl {
  void (*configure_with_archs)(const char*, const char*) = nullptr;
  void (*fail_next)(const char*, int, int) = nullptr;
  void (*inject_fault)(int) = nullptr;
  uint64_t (*call_count)(const char*) = nullptr;
  uint32_t (*stream_cu_mask)(uintptr_t, uint32_t*, uint32_t) = nullptr;
  bool has_primary_contexts = false;

  void configure(const char* config) const {
    const std::string both = config;
    const size_t bar = both.find('|');
    const std::string archs = bar == std::string::npos ? "" : both.substr(bar + 1);
    configure_with_archs(both.substr(0, bar).c_str(), archs.c_str());
  }
};

struct FakeHip {
  using Control = FakeHipControl;
  static bool LoadControl(Control* control, std::string* error) {
    void* library = dlopen("libamdhip64.so", RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
      *error = std::string("dlopen(libamdhip64.so): ") + dlerror();
      return false;
    }
    const auto take = [&](auto& slot, const char* name) {
      slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(dlsym(library, name));
      if (slot == nullptr) *error = std::string("libamdhip64.so is not the fake: no ") + name;
      return slot != nullptr;
    };
    control->has_primary_contexts = dlsym(library, "hipDevicePrimaryCtxRetain") != nullptr;
    return take(control->configure_with_archs, "hal_fake_hip_configure") &&
           take(control->fail_next, "hal_fake_hip_fail_next") &&
           take(control->inject_fault, "hal_fake_hip_inject_fault") &&
           take(control->call_count, "hal_fake_hip_call_count") &&
           take(control->stream_cu_mask, "hal_fake_hip_stream_cu_mask");
  }
  static constexpr const char* kDriverPath = HAL_HIP_DRIVER_PATH;
  static constexpr const char* kBundlePath = HAL_HIP_TEST_STANDARD_BUNDLE;
  static constexpr const char* kBundlesVariable = "HAL_FAKE_HIP_BUNDLES";
  static constexpr const char* kDefaultFormat = "hsaco:gfx90a";
};

// Device 0 a gfx90a of 104 CUs with virtual memory, device 1 a gfx1030 of
// 60 CUs without, as hal_cts_hip_fake runs them.
class HipDriverTest : public gpu::testing::GpuDriverFixture<FakeHip> {
 protected:
  const char* Config() const override {
    return "devices=2;cus=104,60;memory_mib=512,256;vmm=1,0|gfx90a:sramecc+:xnack-,gfx1030";
  }

  // The CU mask `stream` was created with (empty: every CU).
  std::vector<uint32_t> CuMask(hal_drv_stream* stream) {
    hal_native_handle handle{};
    EXPECT_EQ(table_->native_handle(nullptr, HAL_OBJECT_STREAM, stream, &handle), HAL_SUCCESS);
    std::vector<uint32_t> mask(8, 0);
    mask.resize(fake_.stream_cu_mask(handle.value, mask.data(), 8));
    return mask;
  }
};

TEST_F(HipDriverTest, DevicesAreAmdGpusWithTheirTargetsFormatsAndCuMasks) {
  EXPECT_STREQ(table_->name, "hip");
  const hal_device_properties gfx90a = Properties(0);
  EXPECT_STREQ(gfx90a.vendor, "AMD");
  EXPECT_STREQ(gfx90a.architecture, "gfx90a");
  EXPECT_STREQ(gfx90a.kernel_formats,
               "hsaco:gfx90a:sramecc+:xnack-,hsaco:gfx90a:sramecc+,hsaco:gfx90a:xnack-,"
               "hsaco:gfx90a");
  EXPECT_EQ(gfx90a.compute_units, 104u);
  EXPECT_EQ(gfx90a.partition_kind, HAL_PARTITION_CU_MASK);
  EXPECT_EQ(gfx90a.partition_alignment, 1u);
  EXPECT_NE(gfx90a.capabilities & HAL_CAPABILITY_VIRTUAL_MEMORY, 0u);
  const hal_device_properties gfx1030 = Properties(1);
  EXPECT_STREQ(gfx1030.kernel_formats, "hsaco:gfx1030");
  EXPECT_EQ(gfx1030.partition_max_units, 60u);
  EXPECT_EQ(gfx1030.partition_min_units, 2u) << "work-group processors of two CUs";
  EXPECT_EQ(gfx1030.capabilities & HAL_CAPABILITY_VIRTUAL_MEMORY, 0u);
}

TEST_F(HipDriverTest, WithoutAGpuTheRuntimesAnswerIsNamed) {
  EXPECT_EQ(Start("init_error=100"), HAL_ERROR_UNAVAILABLE);
  EXPECT_THAT(table_->last_error_message(),
              AllOf(HasSubstr("hipInit: hipErrorNoDevice (100)"), HasSubstr("no AMD GPU")));
}

TEST_F(HipDriverTest, ADeviceWhosePropertiesFailIsUnusableUnderItsName) {
  ASSERT_EQ(Start(Config(), "hipGetDeviceProperties", hipErrorInvalidValue, 1), HAL_SUCCESS)
      << table_->last_error_message();
  // The name was read before the properties failed.
  EXPECT_THAT(UnusableDevices(),
              ElementsAre(Pair(Not(IsEmpty()),
                               HasSubstr("hipGetDeviceProperties: hipErrorInvalidValue (1)"))));
  EXPECT_EQ(DeviceCount(), 1u);
}

TEST_F(HipDriverTest, PartitionsGetDisjointCuMasksOfTheirGrant) {
  hal_drv_context* small = CreateContext(1, 3);
  hal_drv_context* large = CreateContext(1, 50);
  ASSERT_NE(small, nullptr);
  ASSERT_NE(large, nullptr);
  uint32_t granted = 0;
  ASSERT_EQ(table_->context_get_partition(small, &granted), HAL_SUCCESS);
  EXPECT_EQ(granted, 4u) << "3 CUs rounded up to whole work-group processors";
  const std::vector<uint32_t> a = CuMask(CreateStream(small));
  const std::vector<uint32_t> b = CuMask(CreateStream(large));
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  int a_cus = 0, b_cus = 0;
  for (size_t word = 0; word < a.size(); ++word) {
    EXPECT_EQ(a[word] & b[word], 0u) << word;
    a_cus += std::popcount(a[word]);
    b_cus += std::popcount(b[word]);
  }
  EXPECT_EQ(a_cus, 4);
  EXPECT_EQ(b_cus, 50);
  EXPECT_TRUE(CuMask(CreateStream(context_)).empty()) << "the whole device's streams";
  const hal_context_desc too_large{HAL_STRUCTURE_TYPE_CONTEXT_DESC, nullptr, 10, 0};
  hal_drv_context* refused = nullptr;
  EXPECT_EQ(table_->context_create(1, &too_large, &refused), HAL_ERROR_OUT_OF_MEMORY);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("6 of 60 CUs are not in another"));
}

TEST_F(HipDriverTest, TheCacheSparesHipMallocAndTheHsacoKernelComputes) {
  hal_drv_stream* stream = CreateStream(context_);
  hal_drv_buffer* first = Allocate(context_, 4096);
  Free(context_, first);
  hal_drv_buffer* buffer = Allocate(context_, 4096);
  EXPECT_EQ(fake_.call_count("hipMalloc"), 1u) << "the second buffer came from the cache";
  hal_drv_kernel* fill = FillKernel(context_);
  HAL_REQUIRE_KERNEL(fill);
  ASSERT_EQ(Fill(stream, fill, buffer, 2.5f, 1000), HAL_SUCCESS) << table_->last_error_message();
  const std::vector<float> values = Download<float>(stream, buffer, 0, 1000);
  EXPECT_EQ(values.front(), 2.5f);
  EXPECT_EQ(values.back(), 2.5f);
}

TEST_F(HipDriverTest, AnImageThatIsNoCodeObjectIsRefusedBeforeTheRuntimeReadsIt) {
  const std::vector<uint8_t> text = {'.', 'h', 's', 'a', 'c', 'o'};
  hal_drv_module* module = nullptr;
  EXPECT_EQ(LoadModule(context_, "hsaco:gfx90a", text, &module), HAL_ERROR_INVALID_ARGUMENT);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("these 6 bytes are neither"));
  EXPECT_EQ(fake_.call_count("hipModuleLoadData"), 0u);
}

// ROCm cannot say a kernel's parameters: the driver reads them from the
// code object's metadata (fill_f32: a pointer and an 8-byte push-constant
// block; its hidden arguments are not the kernel ABI's).
TEST_F(HipDriverTest, AManifestDisagreeingWithTheHsacoMetadataIsRefusedWithTheSizes) {
  const std::vector<uint8_t> image = StandardImage(FakeHip::kDefaultFormat);
  if (image.empty()) GTEST_SKIP() << "the standard bundle has no hsaco image (no hipcc)";
  hal_drv_module* module = nullptr;
  ASSERT_EQ(LoadModule(context_, FakeHip::kDefaultFormat, image, &module), HAL_SUCCESS)
      << table_->last_error_message();
  hal_drv_kernel* kernel = nullptr;
  EXPECT_EQ(GetKernel(module, "fill_f32", {2, 8, {256, 1, 1}}, &kernel),
            HAL_ERROR_INVALID_ARGUMENT);
  EXPECT_THAT(table_->last_error_message(),
              AllOf(HasSubstr("kernel 'fill_f32': its image declares parameters of 8, 8 bytes"),
                    HasSubstr("2 bindings and 8 push-constant bytes")));
  EXPECT_EQ(GetKernel(module, "fill_f32", {1, 4, {256, 1, 1}}, &kernel),
            HAL_ERROR_INVALID_ARGUMENT);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("(parameters of 8, 4 bytes)"));
  EXPECT_EQ(GetKernel(module, "fill_f32", {1, 0, {256, 1, 1}}, &kernel),
            HAL_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(GetKernel(module, "fill_f32", {1, 8, {256, 1, 1}}, &kernel), HAL_SUCCESS)
      << table_->last_error_message();
}

// Each device's module is checked against its own code object (the gfx1030
// device loads the gfx1030 image), and a module loaded after another was
// unloaded is read afresh.
TEST_F(HipDriverTest, EachDevicesCodeObjectIsReadForItsOwnModules) {
  const std::vector<uint8_t> image = StandardImage("hsaco:gfx1030");
  if (image.empty()) GTEST_SKIP() << "the standard bundle has no hsaco:gfx1030 image (no hipcc)";
  hal_drv_context* gfx1030 = CreateContext(1);
  for (int round = 0; round < 2; ++round) {
    hal_drv_module* module = nullptr;
    ASSERT_EQ(LoadModule(gfx1030, "hsaco:gfx1030", image, &module), HAL_SUCCESS)
        << table_->last_error_message();
    hal_drv_kernel* kernel = nullptr;
    EXPECT_EQ(GetKernel(module, "fill_f32", {3, 8, {256, 1, 1}}, &kernel),
              HAL_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(GetKernel(module, "fill_f32", {1, 8, {256, 1, 1}}, &kernel), HAL_SUCCESS)
        << table_->last_error_message();
    UnloadModule(module);
  }
}

TEST_F(HipDriverTest, AFaultLosesItsDevicesContextUnderItsName) {
  hal_drv_kernel* fill = FillKernel(context_);
  HAL_REQUIRE_KERNEL(fill);
  hal_drv_stream* stream = CreateStream(context_);
  hal_drv_buffer* buffer = Allocate(context_, 4096);
  fake_.inject_fault(0);
  ASSERT_EQ(Fill(stream, fill, buffer, 1.0f, 256), HAL_SUCCESS);
  EXPECT_EQ(table_->stream_synchronize(stream), HAL_ERROR_UNAVAILABLE);
  EXPECT_THAT(table_->last_error_message(), HasSubstr("hipErrorIllegalAddress (700)"));
  const hal_buffer_desc desc{HAL_STRUCTURE_TYPE_BUFFER_DESC, nullptr, HAL_BUFFER_DEVICE, 0, 64};
  hal_drv_buffer* after = nullptr;
  uint64_t allocated = 0;
  EXPECT_EQ(table_->buffer_allocate(context_, &desc, &after, &allocated), HAL_ERROR_UNAVAILABLE)
      << "a lost context fails fast";
  EXPECT_THAT(table_->last_error_message(), HasSubstr("the context is lost"));
  EXPECT_NE(Allocate(CreateContext(1), 4096), nullptr) << "the other device carries on";
}

TEST_F(HipDriverTest, NativeHandlesNameHipsTypes) {
  hal_native_handle handle{};
  const hal_result context = table_->native_handle(context_, HAL_OBJECT_CONTEXT, nullptr, &handle);
  if (fake_.has_primary_contexts) {
    ASSERT_EQ(context, HAL_SUCCESS);
    EXPECT_STREQ(handle.kind, "hipCtx_t");
    EXPECT_NE(handle.value, 0u);
  } else {
    EXPECT_EQ(context, HAL_ERROR_UNSUPPORTED) << "a runtime without primary contexts";
  }
  ASSERT_EQ(table_->native_handle(context_, HAL_OBJECT_STREAM, CreateStream(context_), &handle),
            HAL_SUCCESS);
  EXPECT_STREQ(handle.kind, "hipStream_t");
  ASSERT_EQ(table_->native_handle(context_, HAL_OBJECT_BUFFER, Allocate(context_, 64), &handle),
            HAL_SUCCESS);
  EXPECT_STREQ(handle.kind, "hipDeviceptr_t");
  EXPECT_NE(handle.value, 0u);
}

}  // namespace
}  // namespace hal::hip_abi_test
