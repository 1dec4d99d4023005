// kernel_get through the driver table: every kernel of the standard set with
// the manifest's signature; HAL_ERROR_NOT_FOUND for a name the image lacks;
// HAL_ERROR_INVALID_ARGUMENT, naming the signatures, when the image declares
// another one (fewer bindings, a smaller push-constant block or another
// workgroup size than it uses: what every backend can tell).
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "conformance/abi_commands/abi_commands_test.h"
#include "conformance/coverage/coverage.h"
#include "conformance/standard_kernels.h"
#include "gmock/gmock.h"

namespace hal::cts {
namespace {

using ::testing::HasSubstr;

// `spirv` with its OpEntryPoint named `from` renamed to `to`; empty when the
// image is malformed or has no such entry point.
std::vector<uint8_t> RenameSpirvEntryPoint(const std::vector<uint8_t>& spirv,
                                           const std::string& from, const std::string& to) {
  constexpr uint32_t kHeaderWords = 5;
  constexpr uint32_t kOpEntryPoint = 15;
  constexpr uint32_t kNameWord = 3;  // after the opcode, execution model and function
  if (spirv.size() % 4 != 0 || spirv.size() < kHeaderWords * 4) return {};
  std::vector<uint32_t> words(spirv.size() / 4);
  std::memcpy(words.data(), spirv.data(), spirv.size());
  std::vector<uint32_t> out(words.begin(), words.begin() + kHeaderWords);
  bool renamed = false;
  for (size_t i = kHeaderWords; i < words.size();) {
    const uint32_t count = words[i] >> 16;
    const uint32_t opcode = words[i] & 0xffff;
    if (count == 0 || count > words.size() - i) return {};
    const auto instruction = words.begin() + static_cast<std::ptrdiff_t>(i);
    i += count;
    if (opcode != kOpEntryPoint || count <= kNameWord) {
      out.insert(out.end(), instruction, instruction + count);
      continue;
    }
    const char* literal = reinterpret_cast<const char*>(&instruction[kNameWord]);
    const size_t literal_bytes = (count - kNameWord) * 4;
    const size_t length = strnlen(literal, literal_bytes);
    if (length == literal_bytes) return {};  // no terminating NUL
    if (std::string(literal, length) != from) {
      out.insert(out.end(), instruction, instruction + count);
      continue;
    }
    std::vector<uint32_t> name(to.size() / 4 + 1, 0);  // NUL-terminated, padded
    std::memcpy(name.data(), to.data(), to.size());
    const uint32_t new_count = count - static_cast<uint32_t>(length / 4 + 1) +
                               static_cast<uint32_t>(name.size());
    out.push_back((new_count << 16) | opcode);
    out.insert(out.end(), instruction + 1, instruction + kNameWord);
    out.insert(out.end(), name.begin(), name.end());
    out.insert(out.end(), instruction + kNameWord + static_cast<std::ptrdiff_t>(length / 4 + 1),
               instruction + count);
    renamed = true;
  }
  if (!renamed) return {};
  std::vector<uint8_t> bytes(out.size() * 4);
  std::memcpy(bytes.data(), out.data(), bytes.size());
  return bytes;
}

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

  // kernel_get of `name` from an image whose kernels all have their names
  // (NamedKernelsImage) is HAL_ERROR_NOT_FOUND with a message, and the module
  // still gives fill_f32 afterwards.
  void ExpectNotFound(const char* name) {
    const std::optional<KernelImage> image = NamedKernelsImage();
    if (!image) {
      HAL_CTS_SKIP_UNSUPPORTED(
          "this device takes neither an image of the whole standard bundle nor SPIR-V; no name "
          "is absent from an image of one kernel");
    }
    hal_drv_module* raw = nullptr;
    ASSERT_HAL_RESULT(HAL_SUCCESS, LoadModule(image->format.c_str(), image->data.data(),
                                              image->data.size(), &raw));
    DrvModule module(&table(), context(), raw);
    hal_drv_kernel* kernel = nullptr;
    EXPECT_HAL_RESULT(HAL_ERROR_NOT_FOUND,
                      GetKernel(raw, name, ManifestSignature("fill_f32"), &kernel));
    EXPECT_THAT(LastError(), HasSubstr(name));
    EXPECT_HAL_RESULT(HAL_SUCCESS,
                      GetKernel(raw, "fill_f32", ManifestSignature("fill_f32"), &kernel));
  }

  // An image, in a format this device takes, that holds fill_f32 under its
  // name: the bundle's image of every kernel, else the SPIR-V image of
  // fill_f32 with its entry point renamed from GLSL's "main" (which a driver
  // serves under the name of the image's one kernel) to "fill_f32".
  std::optional<KernelImage> NamedKernelsImage() const {
    const std::vector<std::string>& formats = properties().kernel_formats;
    const auto taken = [&](const KernelImage& image) {
      return std::find(formats.begin(), formats.end(), image.format) != formats.end();
    };
    for (const KernelImage& image : kernels().images()) {
      if (image.kernel_name.empty() && taken(image)) return image;
    }
    for (const KernelImage& image : kernels().images()) {
      if (image.kernel_name == "fill_f32" && image.format.rfind("spirv-", 0) == 0 &&
          taken(image)) {
        KernelImage renamed = image;
        renamed.data = RenameSpirvEntryPoint(image.data, "main", "fill_f32");
        if (!renamed.data.empty()) return renamed;
      }
    }
    return std::nullopt;
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
