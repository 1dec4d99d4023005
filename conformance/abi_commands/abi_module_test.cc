// module_load and module_destroy through the driver table: the standard image
// loads (and is copied before module_load returns); garbage, an empty image,
// truncated images and another device's image are HAL_ERROR_INVALID_ARGUMENT
// with a message; modules are independent of each other.
#include <algorithm>
#include <string>

#include "conformance/abi_commands/abi_commands_test.h"
#include "conformance/coverage/coverage.h"
#include "conformance/standard_kernels.h"

namespace hal::cts {
namespace {

constexpr uint32_t kElements = 1000;

class AbiModule : public AbiCommandsTest {
 protected:
  // fill_f32 from `module` writes `value` to kElements floats.
  void ExpectFillWorks(hal_drv_module* module, float value) {
    hal_drv_kernel* kernel = nullptr;
    ASSERT_HAL_RESULT(HAL_SUCCESS,
                      GetKernel(module, "fill_f32", ManifestSignature("fill_f32"), &kernel));
    DrvBuffer buffer = AllocateBuffer(kElements * sizeof(float));
    ASSERT_TRUE(buffer);
    const hal_binding bindings[] = {{buffer.get(), 0}};
    ASSERT_HAL_RESULT(HAL_SUCCESS,
                      Dispatch(stream(), kernel, {WorkgroupsFor(kElements, kElementwiseWorkgroupSize), 1, 1},
                               bindings, FillF32Constants{value, kElements}));
    EXPECT_EQ(ReadBackAs<float>(stream(), buffer.get(), 0, kElements),
              std::vector<float>(kElements, value));
  }

  // module_load of `bytes` in the device's best format is refused with
  // HAL_ERROR_INVALID_ARGUMENT and a message.
  void ExpectRejected(const std::vector<uint8_t>& bytes) {
    hal_drv_module* module = nullptr;
    const hal_result result =
        LoadModule(properties().kernel_formats.front().c_str(), bytes.data(), bytes.size(), &module);
    DrvModule owner(&table(), context(), result == HAL_SUCCESS ? module : nullptr);
    EXPECT_HAL_RESULT(HAL_ERROR_INVALID_ARGUMENT, result) << bytes.size() << " bytes";
    if (result != HAL_SUCCESS) {
      EXPECT_NE(LastError(), "") << "a rejection without the vendor's log";
    }
    // The context is unharmed: the real image still loads and runs.
    DrvModule good = LoadStandardModule("fill_f32");
    ASSERT_TRUE(good);
    ExpectFillWorks(good.get(), 6.0f);
  }

  // The first `size` bytes (rounded down to whole 32-bit words) of the
  // device's image of fill_f32.
  std::vector<uint8_t> TruncatedImage(size_t size) {
    const KernelImage* image = ImageHolding("fill_f32");
    if (image == nullptr) return {};
    size = std::min(size, image->data.size() - 4) / 4 * 4;
    return std::vector<uint8_t>(image->data.begin(),
                                image->data.begin() + static_cast<ptrdiff_t>(size));
  }
};

HAL_CTS_COVERS("AbiModule.LoadsTheStandardImage", {"module_load", "success"},
               {"module_destroy", "success"});
TEST_P(AbiModule, LoadsTheStandardImage) {
  const KernelImage* image = ImageHolding("fill_f32");
  ASSERT_NE(image, nullptr);
  hal_drv_module* module = nullptr;
  ASSERT_HAL_RESULT(HAL_SUCCESS, LoadModule(image->format.c_str(), image->data.data(),
                                            image->data.size(), &module));
  ASSERT_NE(module, nullptr) << "module_load succeeded without a module";
  DrvModule owner(&table(), context(), module);
  ExpectFillWorks(module, 1.5f);
}

// The image is copied or consumed before module_load returns: the caller's
// bytes, overwritten right after, do not matter.
HAL_CTS_COVERS("AbiModule.LoadCopiesTheImageBeforeReturning", {"module_load", "success"});
TEST_P(AbiModule, LoadCopiesTheImageBeforeReturning) {
  const KernelImage* image = ImageHolding("fill_f32");
  ASSERT_NE(image, nullptr);
  std::vector<uint8_t> bytes = image->data;
  hal_drv_module* module = nullptr;
  ASSERT_HAL_RESULT(HAL_SUCCESS,
                    LoadModule(image->format.c_str(), bytes.data(), bytes.size(), &module));
  DrvModule owner(&table(), context(), module);
  std::fill(bytes.begin(), bytes.end(), 0xcc);
  bytes.clear();
  bytes.shrink_to_fit();
  ExpectFillWorks(module, 2.5f);
}

HAL_CTS_COVERS("AbiModule.LoadSkipsAnUnknownChainedStruct", {"module_load", "success"});
TEST_P(AbiModule, LoadSkipsAnUnknownChainedStruct) {
  const KernelImage* image = ImageHolding("fill_f32");
  ASSERT_NE(image, nullptr);
  const hal_chain_header unknown{static_cast<hal_structure_type>(0x7fff), nullptr};
  const hal_module_desc desc{HAL_STRUCTURE_TYPE_MODULE_DESC, &unknown, image->format.c_str(),
                             image->data.data(), image->data.size()};
  hal_drv_module* module = nullptr;
  ASSERT_HAL_RESULT(HAL_SUCCESS, table().module_load(context(), &desc, &module));
  DrvModule owner(&table(), context(), module);
  ExpectFillWorks(module, 3.5f);
}

// One image loaded twice gives two modules: destroying one leaves the other's
// kernels working.
HAL_CTS_COVERS("AbiModule.TwoLoadsOfOneImageAreIndependent", {"module_load", "success"},
               {"module_destroy", "success"});
TEST_P(AbiModule, TwoLoadsOfOneImageAreIndependent) {
  DrvModule first = LoadStandardModule("fill_f32");
  DrvModule second = LoadStandardModule("fill_f32");
  ASSERT_TRUE(first && second);
  EXPECT_NE(first.get(), second.get());
  ExpectFillWorks(first.get(), 4.0f);
  first.reset();
  ExpectFillWorks(second.get(), 5.0f);
}

// A module whose kernels ran, destroyed once the stream is idle, leaves the
// context able to load and run the same image again.
HAL_CTS_COVERS("AbiModule.DestroyAfterItsKernelsRan", {"module_destroy", "success"});
TEST_P(AbiModule, DestroyAfterItsKernelsRan) {
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    DrvModule module = LoadStandardModule("fill_f32");
    ASSERT_TRUE(module);
    ExpectFillWorks(module.get(), static_cast<float>(round));
  }
}

HAL_CTS_COVERS("AbiModule.Rejects*", {"module_load", "invalid-argument"});
TEST_P(AbiModule, RejectsGarbage) { ExpectRejected(PatternBytes(4096, 10)); }

TEST_P(AbiModule, RejectsAnEmptyImage) {
  // A valid pointer with no bytes behind it.
  const std::vector<uint8_t> one_byte(1, 0);
  hal_drv_module* module = nullptr;
  const hal_result result =
      LoadModule(properties().kernel_formats.front().c_str(), one_byte.data(), 0, &module);
  DrvModule owner(&table(), context(), result == HAL_SUCCESS ? module : nullptr);
  EXPECT_HAL_RESULT(HAL_ERROR_INVALID_ARGUMENT, result);
  if (result != HAL_SUCCESS) {
    EXPECT_NE(LastError(), "");
  }
}

TEST_P(AbiModule, RejectsAnImageTruncatedAfterItsFirstWords) { ExpectRejected(TruncatedImage(24)); }

// An eighth of the image cuts into what loads (an ELF's segments, a SPIR-V
// module's instructions); a cut after them (an ELF's debug sections) would
// leave a loadable image.
TEST_P(AbiModule, RejectsAnImageTruncatedToAnEighth) {
  const KernelImage* image = ImageHolding("fill_f32");
  ASSERT_NE(image, nullptr);
  ExpectRejected(TruncatedImage(image->data.size() / 8));
}

// Another device's image (SPIR-V for the CPU, an ELF for Vulkan) under this
// device's format name: hal_module_desc.format is always one the device
// takes, so what a driver must refuse is the bytes.
TEST_P(AbiModule, RejectsAnImageOfAFormatTheDeviceDoesNotTake) {
  const KernelImage* foreign = ForeignImage();
  ASSERT_NE(foreign, nullptr);
  SCOPED_TRACE("an image of " + foreign->format);
  ExpectRejected(foreign->data);
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(AbiModule);

}  // namespace
}  // namespace hal::cts
