// Hostile SPIR-V through Device::LoadKernel on vulkan:0: each module below
// passed the old interface check and crashed lavapipe (or ran with a
// descriptor or workgroup size the kernel never declared). Each is now
// refused with InvalidArgument naming what is wrong, before the driver sees it.
#include <spirv-tools/libspirv.h>

#include <array>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hal/hal.h"
#include "runtime/spirv_interface.h"
#include "tests/cpu_device_fixture.h"

namespace hal {
namespace {

using ::testing::HasSubstr;

// A GLCompute kernel writing 1 into element 0 of one storage buffer, in
// pieces a case replaces: how the buffer gets its binding, the entry points
// and their execution modes, and extra globals.
struct Kernel {
  std::string binding = "OpDecorate %buf DescriptorSet 0\nOpDecorate %buf Binding 0\n";
  std::string entry_points =
      "OpEntryPoint GLCompute %main \"main\"\nOpExecutionMode %main LocalSize 1 1 1\n";
  std::string globals;
  std::string functions;
};

constexpr char kTwoEntryPoints[] =
    "OpEntryPoint GLCompute %main \"main\"\nOpEntryPoint GLCompute %other \"other\"\n"
    "OpExecutionMode %main LocalSize 1 1 1\nOpExecutionMode %other LocalSize 1 1 1\n";

std::string Assembly(const Kernel& kernel) {
  return "OpCapability Shader\nOpMemoryModel Logical GLSL450\n" + kernel.entry_points +
         kernel.binding +
         "OpDecorate %Buf Block\nOpMemberDecorate %Buf 0 Offset 0\n"
         "OpDecorate %rt ArrayStride 4\n"
         "%void = OpTypeVoid\n%fn = OpTypeFunction %void\n%uint = OpTypeInt 32 0\n"
         "%v3 = OpTypeVector %uint 3\n%rt = OpTypeRuntimeArray %uint\n"
         "%Buf = OpTypeStruct %rt\n%ptr = OpTypePointer StorageBuffer %Buf\n"
         "%buf = OpVariable %ptr StorageBuffer\n%uptr = OpTypePointer StorageBuffer %uint\n"
         "%c0 = OpConstant %uint 0\n%c1 = OpConstant %uint 1\n" +
         kernel.globals +
         "%main = OpFunction %void None %fn\n%l0 = OpLabel\n"
         "%p = OpAccessChain %uptr %buf %c0 %c0\nOpStore %p %c1\nOpReturn\nOpFunctionEnd\n" +
         kernel.functions;
}

// SPIR-V 1.3 (Vulkan 1.1): entry points list only inputs and outputs, so the
// resources an entry point uses are found through its call tree.
std::vector<uint8_t> Assemble(const std::string& text) {
  spv_context context = spvContextCreate(SPV_ENV_VULKAN_1_1);
  spv_binary binary = nullptr;
  spv_diagnostic diagnostic = nullptr;
  const spv_result_t result =
      spvTextToBinary(context, text.data(), text.size(), &binary, &diagnostic);
  std::vector<uint8_t> bytes;
  if (result == SPV_SUCCESS) {
    const auto* begin = reinterpret_cast<const uint8_t*>(binary->code);
    bytes.assign(begin, begin + binary->wordCount * sizeof(uint32_t));
  } else {
    ADD_FAILURE() << "assembling failed: " << (diagnostic ? diagnostic->error : "") << "\n" << text;
  }
  spvBinaryDestroy(binary);
  spvDiagnosticDestroy(diagnostic);
  spvContextDestroy(context);
  return bytes;
}

class SpirvImageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto runtime = testing::BuildTreeRuntime("vulkan:0");
    ASSERT_TRUE(runtime.ok()) << runtime.status();
    runtime_ = *std::move(runtime);
    if (runtime_->devices().empty()) GTEST_SKIP() << "no vulkan:0 in this build or machine";
    auto device = runtime_->devices()[0]->Open();
    ASSERT_TRUE(device.ok()) << device.status();
    device_ = *std::move(device);
  }

  absl::Status Load(const Kernel& kernel, const std::string& name = "k") {
    KernelInfo info{name, /*binding_count=*/1, /*push_constant_size=*/0, {1, 1, 1}};
    auto bundle = KernelBundle::Create({info}, {{"spirv-vulkan", "", Assemble(Assembly(kernel))}});
    if (!bundle.ok()) return bundle.status();
    return device_->LoadKernel(*bundle, name).status();
  }

  // InvalidArgument, with `message` in it.
  void ExpectRefused(const Kernel& kernel, const std::string& name, const std::string& message) {
    absl::Status status = Load(kernel, name);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_THAT(status.ToString(), HasSubstr(message));
  }

  std::unique_ptr<Runtime> runtime_;
  std::shared_ptr<Device> device_;
};

TEST_F(SpirvImageTest, WellFormedKernelLoads) { EXPECT_TRUE(Load(Kernel{}).ok()); }

TEST_F(SpirvImageTest, BindingThroughADecorationGroupIsChecked) {
  Kernel kernel;
  kernel.binding =
      "OpDecorate %group DescriptorSet 0\nOpDecorate %group Binding 5\n"
      "%group = OpDecorationGroup\nOpGroupDecorate %group %buf\n";
  ExpectRefused(kernel, "k",
                "uses descriptor set 0, binding 5, but the kernel "
                "declares 1 binding(s)");
}

TEST_F(SpirvImageTest, EntryPointOfSeveralIsCheckedThroughItsCallTree) {
  Kernel kernel;
  kernel.entry_points = kTwoEntryPoints;
  kernel.binding = "OpDecorate %buf DescriptorSet 0\nOpDecorate %buf Binding 7\n";
  kernel.functions =
      "%helper = OpFunction %void None %fn\n%l1 = OpLabel\n"
      "%q = OpAccessChain %uptr %buf %c0 %c0\nOpStore %q %c1\nOpReturn\nOpFunctionEnd\n"
      "%other = OpFunction %void None %fn\n%l2 = OpLabel\n%r = OpFunctionCall %void %helper\n"
      "OpReturn\nOpFunctionEnd\n";
  ExpectRefused(kernel, "other", "\"other\" uses descriptor set 0, binding 7");
}

TEST_F(SpirvImageTest, SeveralEntryPointsNoneNamedAfterTheKernelIsRefused) {
  Kernel kernel;
  kernel.entry_points = kTwoEntryPoints;
  kernel.functions = "%other = OpFunction %void None %fn\n%l1 = OpLabel\nOpReturn\nOpFunctionEnd\n";
  ExpectRefused(kernel, "k", "has \"main\", \"other\", so which one runs is ambiguous");
}

TEST_F(SpirvImageTest, WorkgroupSizeBuiltInWithAZeroIsRefused) {
  Kernel kernel;
  kernel.binding += "OpDecorate %wgs BuiltIn WorkgroupSize\n";
  kernel.globals = "%wgs = OpConstantComposite %v3 %c0 %c1 %c1\n";
  ExpectRefused(kernel, "k", "has workgroup size 0x1x1, with a zero component");
}

TEST_F(SpirvImageTest, WorkgroupSizeBuiltInOverridesLocalSize) {
  Kernel kernel;
  kernel.binding += "OpDecorate %wgs BuiltIn WorkgroupSize\n";
  kernel.globals = "%c4 = OpConstant %uint 4\n%wgs = OpConstantComposite %v3 %c4 %c1 %c1\n";
  ExpectRefused(kernel, "k", "has workgroup size 4x1x1, but the kernel declares 1x1x1");
}

Kernel LocalSizeIdKernel() {
  Kernel kernel;
  kernel.entry_points =
      "OpEntryPoint GLCompute %main \"main\"\nOpExecutionModeId %main LocalSizeId %c2 %c1 %c1\n";
  kernel.globals = "%c2 = OpSpecConstant %uint 2\n";
  return kernel;
}

// LocalSizeId needs Vulkan 1.3 (maintenance4); the driver promises 1.2.
TEST_F(SpirvImageTest, LocalSizeIdIsRefusedUnderVulkan12Rules) {
  ExpectRefused(LocalSizeIdKernel(), "k", "LocalSizeId mode is not allowed");
}

// For a later Vulkan 1.3 target, the reader already takes the size from the
// spec constants' defaults (the runtime passes no specialization).
TEST(SpirvInterfaceTest, LocalSizeIdIsReadFromSpecConstantDefaults) {
  const std::vector<uint8_t> bytes = Assemble(Assembly(LocalSizeIdKernel()));
  std::vector<uint32_t> words(bytes.size() / 4);
  std::memcpy(words.data(), bytes.data(), bytes.size());
  std::vector<spirv::EntryPointInterface> entry_points;
  ASSERT_TRUE(spirv::ReadComputeEntryPoints(words, &entry_points));
  ASSERT_EQ(entry_points.size(), 1u);
  const std::array<uint32_t, 3> expected = {2, 1, 1};
  EXPECT_EQ(entry_points[0].workgroup_size, expected);
}

TEST_F(SpirvImageTest, BindingInAnotherSetIsRefused) {
  Kernel kernel;
  kernel.binding = "OpDecorate %buf DescriptorSet 1\nOpDecorate %buf Binding 0\n";
  ExpectRefused(kernel, "k", "uses descriptor set 1, binding 0");
}

TEST_F(SpirvImageTest, PushConstantBlockIsSizedThroughOffsetsAndArrayStrides) {
  Kernel kernel;
  kernel.entry_points = kTwoEntryPoints;
  kernel.binding +=
      "OpDecorate %Pc Block\nOpMemberDecorate %Pc 0 Offset 8\nOpDecorate %arr ArrayStride 4\n";
  kernel.globals =
      "%c40 = OpConstant %uint 40\n%arr = OpTypeArray %uint %c40\n%Pc = OpTypeStruct %arr\n"
      "%pcptr = OpTypePointer PushConstant %Pc\n%pc = OpVariable %pcptr PushConstant\n"
      "%pcuint = OpTypePointer PushConstant %uint\n";
  kernel.functions =
      "%other = OpFunction %void None %fn\n%l1 = OpLabel\n"
      "%pp = OpAccessChain %pcuint %pc %c0 %c1\n%v = OpLoad %uint %pp\nOpReturn\nOpFunctionEnd\n";
  ExpectRefused(kernel, "other",
                "has a push-constant block of 168 bytes, but the kernel "
                "declares 0");
}

TEST_F(SpirvImageTest, InvalidSpirvIsRefusedByTheValidator) {
  Kernel kernel;
  kernel.binding = "";  // Vulkan requires DescriptorSet and Binding on a storage buffer
  ExpectRefused(kernel, "k", "is not valid SPIR-V for Vulkan 1.2: ");
}

// SPIRV-Tools accepts any reserved header word; lavapipe's compiler fails on
// one that is not 0 (and leaks as it does).
TEST_F(SpirvImageTest, NonZeroSchemaWordIsRefused) {
  std::vector<uint8_t> image = Assemble(Assembly(Kernel{}));
  ASSERT_GE(image.size(), 20u);
  image[16] = 7;  // word 4, little-endian
  KernelInfo info{"k", /*binding_count=*/1, /*push_constant_size=*/0, {1, 1, 1}};
  auto bundle = KernelBundle::Create({info}, {{"spirv-vulkan", "", image}});
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  absl::Status status = device_->LoadKernel(*bundle, "k").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(status.ToString(), HasSubstr("reserved schema word (word 4) is 7"));
}

// The standard kernels' SPIR-V, randomly mutated (fixed seed): every mutant
// is refused with InvalidArgument or loads; none reaches lavapipe and crashes
// it. The libFuzzer target fuzz/spirv_image_fuzzer.cc explores further.
TEST_F(SpirvImageTest, RandomMutationsOfTheStandardKernelsAreRefusedOrLoad) {
  auto standard = testing::BuildTreeStandardBundle();
  ASSERT_TRUE(standard.ok()) << standard.status();
  std::mt19937 random(20261129);
  std::uniform_int_distribution<int> mutations(1, 3), kind(0, 2), small(0, 64);
  int rounds = 0, refused = 0;
  for (const KernelImage& image : standard->images()) {
    if (image.format != "spirv-vulkan") continue;
    const KernelInfo* info = standard->FindKernel(image.kernel_name);
    ASSERT_NE(info, nullptr) << image.kernel_name;
    std::uniform_int_distribution<size_t> word(0, image.data.size() / 4 - 1);
    for (int round = 0; round < 300; ++round, ++rounds) {
      KernelImage mutant = image;
      for (int m = mutations(random); m > 0; --m) {
        uint32_t value = 0;
        const size_t at = word(random) * 4;
        std::memcpy(&value, &mutant.data[at], 4);
        // A random word, one bit flipped, or a small number (an id, a count,
        // an opcode's operand) where the word was.
        const int how = kind(random);
        value = how == 0   ? static_cast<uint32_t>(random())
                : how == 1 ? value ^ (1u << (random() % 32))
                           : static_cast<uint32_t>(small(random));
        std::memcpy(&mutant.data[at], &value, 4);
      }
      auto bundle = KernelBundle::Create({*info}, {mutant});
      ASSERT_TRUE(bundle.ok()) << bundle.status();
      absl::Status status = device_->LoadKernel(*bundle, info->name).status();
      if (!status.ok()) ++refused;
      ASSERT_TRUE(status.ok() || status.code() == absl::StatusCode::kInvalidArgument) << status;
    }
  }
  ASSERT_GT(rounds, 0) << "the standard bundle has no spirv-vulkan image";
  // Most mutations break a module; a few (a changed constant) leave it valid.
  EXPECT_GT(refused, rounds / 2) << refused << " of " << rounds;
}

}  // namespace
}  // namespace hal
