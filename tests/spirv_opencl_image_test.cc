// spirv-opencl images as the runtime checks them before a driver (OpenCL,
// Level Zero) sees them: valid SPIR-V for OpenCL 1.2, and an OpenCL kernel
// named as the kernel whose reqd_work_group_size and argument count fit the
// kernel's signature (runtime/spirv_interface.h). The standard bundle's
// images pass; hand-assembled modules that break one rule each are refused,
// saying which rule.
#include <spirv-tools/libspirv.h>

#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/kernel_bundle.h"
#include "runtime/kernel_image_check.h"
#include "runtime/spirv_interface.h"
#include "tests/cpu_device_fixture.h"

namespace hal {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// An OpenCL kernel "k" taking a __global uint* and a uint by value, with
// reqd_work_group_size(256, 1, 1): what the pieces replaced below change.
constexpr char kOpenClKernel[] =
    "OpCapability Addresses\nOpCapability Kernel\nOpCapability Int64\n"
    "OpMemoryModel Physical64 OpenCL\n"
    "OpEntryPoint Kernel %k \"k\"\n"
    "OpExecutionMode %k LocalSize 256 1 1\n"
    "%void = OpTypeVoid\n%uint = OpTypeInt 32 0\n"
    "%ptr = OpTypePointer CrossWorkgroup %uint\n"
    "%fn = OpTypeFunction %void %ptr %uint\n"
    "%k = OpFunction %void None %fn\n%p0 = OpFunctionParameter %ptr\n"
    "%p1 = OpFunctionParameter %uint\n%l = OpLabel\nOpStore %p0 %p1\nOpReturn\nOpFunctionEnd\n";

constexpr char kVulkanShader[] =
    "OpCapability Shader\nOpMemoryModel Logical GLSL450\n"
    "OpEntryPoint GLCompute %main \"main\"\nOpExecutionMode %main LocalSize 1 1 1\n"
    "%void = OpTypeVoid\n%fn = OpTypeFunction %void\n"
    "%main = OpFunction %void None %fn\n%l = OpLabel\nOpReturn\nOpFunctionEnd\n";

std::vector<uint32_t> Assemble(const std::string& text, spv_target_env environment) {
  spv_context context = spvContextCreate(environment);
  spv_binary binary = nullptr;
  spv_diagnostic diagnostic = nullptr;
  std::vector<uint32_t> words;
  if (spvTextToBinary(context, text.data(), text.size(), &binary, &diagnostic) == SPV_SUCCESS) {
    words.assign(binary->code, binary->code + binary->wordCount);
  } else {
    ADD_FAILURE() << "does not assemble: " << diagnostic->error << "\n" << text;
  }
  spvBinaryDestroy(binary);
  spvDiagnosticDestroy(diagnostic);
  spvContextDestroy(context);
  return words;
}

std::string Validate(const std::vector<uint32_t>& words, spirv::Target target) {
  return spirv::ValidateSpirv(words.data(), words.size() * sizeof(uint32_t), target);
}

hal_kernel_signature Signature(uint32_t bindings, uint32_t push_constant_size,
                               uint32_t workgroup_x) {
  hal_kernel_signature signature{};
  signature.binding_count = bindings;
  signature.push_constant_size = push_constant_size;
  signature.workgroup_size[0] = workgroup_x;
  signature.workgroup_size[1] = 1;
  signature.workgroup_size[2] = 1;
  return signature;
}

// Why `signature` cannot run kernel `name` of the module `text`; empty when
// it can.
std::string Check(const std::string& text, const std::string& name,
                  const hal_kernel_signature& signature) {
  const std::vector<uint32_t> words = Assemble(text, SPV_ENV_OPENCL_1_2);
  EXPECT_EQ(Validate(words, spirv::Target::kOpenCl1_2), "");
  std::vector<spirv::KernelEntryPoint> kernels;
  EXPECT_TRUE(spirv::ReadKernelEntryPoints(words, &kernels));
  return spirv::CheckKernelEntryPoint(kernels, name, signature);
}

TEST(SpirvOpenClTest, AKernelFittingItsSignaturePasses) {
  EXPECT_EQ(Check(kOpenClKernel, "k", Signature(1, 4, 256)), "");
}

TEST(SpirvOpenClTest, TheKernelsArgumentsAndWorkgroupSizeAreRead) {
  std::vector<spirv::KernelEntryPoint> kernels;
  ASSERT_TRUE(spirv::ReadKernelEntryPoints(Assemble(kOpenClKernel, SPV_ENV_OPENCL_1_2), &kernels));
  ASSERT_EQ(kernels.size(), 1u);
  EXPECT_EQ(kernels[0].name, "k");
  EXPECT_EQ(kernels[0].parameter_count, 2u);
  ASSERT_TRUE(kernels[0].workgroup_size.has_value());
  EXPECT_EQ(*kernels[0].workgroup_size, (std::array<uint32_t, 3>{256, 1, 1}));
}

// OpenCL and Level Zero look a kernel up by its name: no single-entry-point
// fallback as for Vulkan, whose entry point is chosen by the runtime.
TEST(SpirvOpenClTest, AKernelOfAnotherNameIsRefused) {
  EXPECT_THAT(Check(kOpenClKernel, "saxpy", Signature(1, 4, 256)),
              HasSubstr("no OpenCL kernel (entry point of execution model Kernel) \"saxpy\""));
}

TEST(SpirvOpenClTest, AnotherRequiredWorkgroupSizeIsRefused) {
  EXPECT_THAT(Check(kOpenClKernel, "k", Signature(1, 4, 64)),
              HasSubstr("requires workgroup size 256x1x1 (reqd_work_group_size), but the kernel "
                        "declares 64x1x1"));
}

// The driver then dispatches the kernel's declared workgroup size.
TEST(SpirvOpenClTest, AKernelRequiringNoWorkgroupSizePasses) {
  const std::string text =
      absl::StrReplaceAll(kOpenClKernel, {{"OpExecutionMode %k LocalSize 256 1 1\n", ""}});
  EXPECT_EQ(Check(text, "k", Signature(1, 4, 64)), "");
}

TEST(SpirvOpenClTest, ArgumentsOtherThanTheBindingsAndOnePushConstantStructAreRefused) {
  EXPECT_THAT(Check(kOpenClKernel, "k", Signature(2, 4, 256)),
              HasSubstr("takes 2 argument(s), but the kernel ABI passes 3 (2 binding(s) and one "
                        "push-constant struct)"));
  EXPECT_THAT(Check(kOpenClKernel, "k", Signature(1, 0, 256)),
              HasSubstr("takes 2 argument(s), but the kernel ABI passes 1 (1 binding(s))"));
}

TEST(SpirvOpenClTest, ShadersAndKernelsAreReadOnlyAsTheirOwnKind) {
  std::vector<spirv::KernelEntryPoint> kernels;
  ASSERT_TRUE(spirv::ReadKernelEntryPoints(Assemble(kVulkanShader, SPV_ENV_VULKAN_1_2), &kernels));
  EXPECT_TRUE(kernels.empty());
  std::vector<spirv::EntryPointInterface> shaders;
  ASSERT_TRUE(
      spirv::ReadComputeEntryPoints(Assemble(kOpenClKernel, SPV_ENV_OPENCL_1_2), &shaders));
  EXPECT_TRUE(shaders.empty());
}

// Each refuses what the other's drivers take even at the SPIR-V version both
// read (1.0).
TEST(SpirvOpenClTest, EachEnvironmentRefusesTheOthersModules) {
  EXPECT_THAT(Validate(Assemble(kVulkanShader, SPV_ENV_UNIVERSAL_1_0), spirv::Target::kOpenCl1_2),
              HasSubstr("Shader"));
  EXPECT_NE(Validate(Assemble(kOpenClKernel, SPV_ENV_OPENCL_1_2), spirv::Target::kVulkan1_2), "");
}

TEST(SpirvOpenClTest, AMalformedInstructionStreamIsNotRead) {
  std::vector<uint32_t> words = Assemble(kOpenClKernel, SPV_ENV_OPENCL_1_2);
  words[5] = 0xFFFF0000u | (words[5] & 0xFFFF);  // the first instruction's length runs past the end
  std::vector<spirv::KernelEntryPoint> kernels;
  EXPECT_FALSE(spirv::ReadKernelEntryPoints(words, &kernels));
}

// What Device::LoadKernel answers, before any driver sees the image.
TEST(SpirvOpenClTest, TheRuntimesImageCheckRefusesAMismatchWithInvalidArgument) {
  const std::vector<uint32_t> words = Assemble(kOpenClKernel, SPV_ENV_OPENCL_1_2);
  KernelImage image{"spirv-opencl", "k", std::vector<uint8_t>(words.size() * sizeof(uint32_t))};
  std::memcpy(image.data.data(), words.data(), image.data.size());
  EXPECT_TRUE(internal::CheckKernelImage(image, KernelInfo{"k", 1, 4, {256, 1, 1}}, "ze:0").ok());
  const absl::Status status =
      internal::CheckKernelImage(image, KernelInfo{"k", 1, 4, {128, 1, 1}}, "ze:0");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("the spirv-opencl image of kernel \"k\" cannot be loaded on device ze:0: "
                        "OpenCL kernel \"k\" requires workgroup size 256x1x1"));
  image.data.resize(image.data.size() - 4);  // the last instruction cut short
  const absl::Status invalid =
      internal::CheckKernelImage(image, KernelInfo{"k", 1, 4, {256, 1, 1}}, "ze:0");
  EXPECT_EQ(invalid.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(invalid.message(), HasSubstr("it is not valid SPIR-V for OpenCL 1.2"));
}

// What the build put in the standard bundle for OpenCL and Level Zero
// (kernels/opencl, cmake/HalKernelBundleOpenCL.cmake): per kernel, a
// spirv-opencl image the runtime's checks pass against the kernel's
// manifest entry, and an opencl-c image that is one self-contained source.
TEST(StandardBundleOpenClTest, EveryKernelHasOpenClImagesTheRuntimeAccepts) {
  auto bundle = testing::BuildTreeStandardBundle();
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  bool any = false;
  for (const KernelImage& image : bundle->images()) any |= image.format == "spirv-opencl";
  if (!any) {
    GTEST_SKIP() << "clang-15 or llvm-spirv-15 was not found at configure time: no OpenCL images";
  }
  for (const KernelInfo& kernel : bundle->kernels()) {
    SCOPED_TRACE(kernel.name);
    const KernelImage* spirv = nullptr;
    const KernelImage* source = nullptr;
    for (const KernelImage& image : bundle->images()) {
      if (image.kernel_name != kernel.name) continue;
      if (image.format == "spirv-opencl") spirv = &image;
      if (image.format == "opencl-c") source = &image;
    }
    ASSERT_NE(spirv, nullptr);
    ASSERT_NE(source, nullptr);
    ASSERT_EQ(spirv::TargetOfFormat(spirv->format), spirv::Target::kOpenCl1_2);
    EXPECT_EQ(spirv::ValidateSpirv(spirv->data.data(), spirv->data.size(),
                                   spirv::Target::kOpenCl1_2),
              "");
    std::vector<uint32_t> words(spirv->data.size() / sizeof(uint32_t));
    std::memcpy(words.data(), spirv->data.data(), words.size() * sizeof(uint32_t));
    std::vector<spirv::KernelEntryPoint> kernels;
    ASSERT_TRUE(spirv::ReadKernelEntryPoints(words, &kernels));
    hal_kernel_signature signature{};
    signature.binding_count = kernel.binding_count;
    signature.push_constant_size = kernel.push_constant_size;
    for (int d = 0; d < 3; ++d) signature.workgroup_size[d] = kernel.workgroup_size[d];
    EXPECT_EQ(spirv::CheckKernelEntryPoint(kernels, kernel.name, signature), "");

    const std::string text(source->data.begin(), source->data.end());
    EXPECT_THAT(text, HasSubstr("__kernel"));
    EXPECT_THAT(text, HasSubstr(" " + kernel.name + "("));
    EXPECT_THAT(text, Not(HasSubstr("#include \""))) << "the opencl-c image is not self-contained";
  }
}

}  // namespace
}  // namespace hal
