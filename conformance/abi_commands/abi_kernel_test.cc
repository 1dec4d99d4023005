// kernel_get through the driver table: every kernel of the standard set with
// the manifest's signature; HAL_ERROR_NOT_FOUND for a name the image lacks;
// HAL_ERROR_INVALID_ARGUMENT, naming the signatures, when the image declares
// another one (fewer bindings, a smaller push-constant block or another
// workgroup size than it uses: what every backend can tell).
#include <algorithm>
#include <string>
#include <vector>

#include "conformance/abi_commands/abi_commands_test.h"
#include "conformance/coverage/coverage.h"
#include "conformance/standard_kernels.h"
#include "gmock/gmock.h"

namespace hal::cts {
namespace {

using ::testing::HasSubstr;

class AbiKernel : public AbiCommandsTest {
 protected:
  // kernel_get of `name` from its own image succeeds with a kernel.
  void ExpectGets(absl::string_view name) {
    DrvModule module = LoadStandardModule(name);
    ASSERT_TRUE(module);
    hal_drv_kernel* kernel = nullptr;
    ASSERT_HAL_RESULT(HAL_SUCCESS, GetKernel(module.get(), name, ManifestSignature(name), &kernel));
    EXPECT_NE(kernel, nullptr) << "kernel_get succeeded without a kernel";
  }

  // kernel_get of `name` from an image holding every kernel of the bundle is
  // HAL_ERROR_NOT_FOUND with a message, and the module still gives fill_f32
  // afterwards. An image of one kernel is that kernel whatever it is asked
  // for (a SPIR-V module's only entry point runs under the bundle's name), so
  // a name can be absent only from an image of several.
  void ExpectNotFound(const char* name) {
    const KernelImage* image = WholeBundleImage();
    if (image == nullptr) {
      HAL_CTS_SKIP_UNSUPPORTED(
          "the standard bundle's images in this device's formats hold one kernel each; no name "
          "is absent from an image of one kernel");
    }
    hal_drv_module* raw = nullptr;
    ASSERT_HAL_RESULT(HAL_SUCCESS, LoadModule(image->format.c_str(), image->data.data(),
                                              image->data.size(), &raw));
    DrvModule module(&table(), context(), raw);
    hal_drv_kernel* kernel = nullptr;
    EXPECT_HAL_RESULT(HAL_ERROR_NOT_FOUND,
                      GetKernel(raw, name, ManifestSignature("fill_f32"), &kernel));
    EXPECT_NE(LastError(), "");
    EXPECT_HAL_RESULT(HAL_SUCCESS,
                      GetKernel(raw, "fill_f32", ManifestSignature("fill_f32"), &kernel));
  }

  // An image of every kernel in a format this device takes, or null.
  const KernelImage* WholeBundleImage() const {
    const std::vector<std::string>& formats = properties().kernel_formats;
    for (const KernelImage& image : kernels().images()) {
      if (image.kernel_name.empty() &&
          std::find(formats.begin(), formats.end(), image.format) != formats.end()) {
        return &image;
      }
    }
    return nullptr;
  }

  // kernel_get of `name` with `signature` (the manifest's, altered) is
  // HAL_ERROR_INVALID_ARGUMENT with a message holding each of `named`.
  void ExpectMismatch(absl::string_view name, const hal_kernel_signature& signature,
                      std::initializer_list<std::string> named) {
    DrvModule module = LoadStandardModule(name);
    ASSERT_TRUE(module);
    hal_drv_kernel* kernel = nullptr;
    ASSERT_HAL_RESULT(HAL_ERROR_INVALID_ARGUMENT,
                      GetKernel(module.get(), name, signature, &kernel));
    const std::string message = LastError();
    for (const std::string& text : named) EXPECT_THAT(message, HasSubstr(text));
    // The refusal leaves the module whole: the right signature still works.
    EXPECT_HAL_RESULT(HAL_SUCCESS,
                      GetKernel(module.get(), name, ManifestSignature(name), &kernel));
  }
};

HAL_CTS_COVERS("AbiKernel.Gets*", {"kernel_get", "success"});
TEST_P(AbiKernel, GetsFillF32) { ExpectGets("fill_f32"); }
TEST_P(AbiKernel, GetsSaxpyF32) { ExpectGets("saxpy_f32"); }
TEST_P(AbiKernel, GetsReduceSumF32) { ExpectGets("reduce_sum_f32"); }
TEST_P(AbiKernel, GetsGemmF32) { ExpectGets("gemm_f32"); }
TEST_P(AbiKernel, GetsVectorAddI32) { ExpectGets("vector_add_i32"); }
TEST_P(AbiKernel, GetsNoop) { ExpectGets("noop"); }

// Asked twice, the kernel works both times (a driver may hand out one object).
TEST_P(AbiKernel, GetsTheSameKernelTwice) {
  DrvModule module = LoadStandardModule("fill_f32");
  ASSERT_TRUE(module);
  DrvBuffer buffer = AllocateBuffer(256 * sizeof(float));
  ASSERT_TRUE(buffer);
  const hal_binding bindings[] = {{buffer.get(), 0}};
  for (float value : {1.0f, 2.0f}) {
    hal_drv_kernel* kernel = nullptr;
    ASSERT_HAL_RESULT(HAL_SUCCESS, GetKernel(module.get(), "fill_f32",
                                             ManifestSignature("fill_f32"), &kernel));
    ASSERT_HAL_RESULT(HAL_SUCCESS, Dispatch(stream(), kernel, {1, 1, 1}, bindings,
                                            FillF32Constants{value, 256}));
    EXPECT_EQ(ReadBackAs<float>(stream(), buffer.get(), 0, 256), std::vector<float>(256, value));
  }
}

HAL_CTS_COVERS("AbiKernel.*IsNotFound", {"kernel_get", "not-found"});
TEST_P(AbiKernel, UnknownNameIsNotFound) { ExpectNotFound("hal_cts_no_such_kernel"); }
TEST_P(AbiKernel, NameInAnotherCaseIsNotFound) { ExpectNotFound("FILL_F32"); }
TEST_P(AbiKernel, PrefixOfANameIsNotFound) { ExpectNotFound("fill"); }
TEST_P(AbiKernel, NameWithATrailingSuffixIsNotFound) { ExpectNotFound("fill_f32_"); }

HAL_CTS_COVERS("AbiKernel.*IsInvalidArgument", {"kernel_get", "invalid-argument"});
// gemm_f32 uses 3 bindings; declared with 2, binding 2 would be unbound.
TEST_P(AbiKernel, FewerBindingsThanTheImageUsesIsInvalidArgument) {
  hal_kernel_signature signature = ManifestSignature("gemm_f32");
  ASSERT_EQ(signature.binding_count, 3u);
  signature.binding_count = 2;
  ExpectMismatch("gemm_f32", signature, {"2"});
}

// gemm_f32 reads 20 push-constant bytes; declared with 16 it would read past
// them.
TEST_P(AbiKernel, SmallerPushConstantBlockThanTheImageReadsIsInvalidArgument) {
  hal_kernel_signature signature = ManifestSignature("gemm_f32");
  ASSERT_EQ(signature.push_constant_size, sizeof(GemmF32Constants));
  signature.push_constant_size = 16;
  ExpectMismatch("gemm_f32", signature, {"16", "20"});
}

// saxpy_f32 with no push constants at all.
TEST_P(AbiKernel, NoPushConstantsForAKernelThatReadsThemIsInvalidArgument) {
  hal_kernel_signature signature = ManifestSignature("saxpy_f32");
  signature.push_constant_size = 0;
  ExpectMismatch("saxpy_f32", signature, {"0", "8"});
}

// fill_f32 is built for workgroups of 256.
TEST_P(AbiKernel, OtherWorkgroupSizeIsInvalidArgument) {
  hal_kernel_signature signature = ManifestSignature("fill_f32");
  ASSERT_EQ(signature.workgroup_size[0], kElementwiseWorkgroupSize);
  signature.workgroup_size[0] = 128;
  ExpectMismatch("fill_f32", signature, {"128", "256"});
}

HAL_CTS_INSTANTIATE_DEVICE_TESTS(AbiKernel);

}  // namespace
}  // namespace hal::cts
