#include "conformance/abi_commands/abi_commands_test.h"

#include <algorithm>
#include <string>

#include "conformance/standard_kernels.h"

namespace hal::cts {
namespace {

constexpr uint32_t kGemmSize = 128;
constexpr int kLongestChain = 1024;

}  // namespace

std::vector<uint8_t> PatternBytes(size_t size, uint8_t seed) {
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>((i * 7 + seed) % 251 + 1);
  return bytes;
}

const KernelImage* AbiCommandsTest::ImageHolding(absl::string_view kernel_name) const {
  const std::vector<std::string>& formats = properties().kernel_formats;
  for (const KernelImage& image : kernels().images()) {
    const bool holds = image.kernel_name.empty() || image.kernel_name == kernel_name;
    if (holds && std::find(formats.begin(), formats.end(), image.format) != formats.end()) {
      return &image;
    }
  }
  ADD_FAILURE() << "the standard bundle has no image holding \"" << kernel_name
                << "\" in a format this device takes";
  return nullptr;
}

const KernelImage* AbiCommandsTest::ForeignImage() const {
  const std::vector<std::string>& formats = properties().kernel_formats;
  for (const KernelImage& image : kernels().images()) {
    if (std::find(formats.begin(), formats.end(), image.format) == formats.end()) return &image;
  }
  ADD_FAILURE() << "the standard bundle holds images only of formats this device takes; the "
                   "suite needs one of another device's";
  return nullptr;
}

hal_result AbiCommandsTest::LoadModule(const char* format, const void* image, size_t size,
                                       hal_drv_module** out_module) {
  const hal_module_desc desc{HAL_STRUCTURE_TYPE_MODULE_DESC, nullptr, format, image, size};
  return table().module_load(context(), &desc, out_module);
}

hal_kernel_signature AbiCommandsTest::ManifestSignature(absl::string_view name) const {
  hal_kernel_signature signature{};
  const KernelInfo* info = kernels().FindKernel(name);
  if (info == nullptr) {
    ADD_FAILURE() << "the standard manifest has no kernel \"" << name << "\"";
    return signature;
  }
  signature.binding_count = info->binding_count;
  signature.push_constant_size = info->push_constant_size;
  std::copy(info->workgroup_size.begin(), info->workgroup_size.end(), signature.workgroup_size);
  return signature;
}

hal_result AbiCommandsTest::GetKernel(hal_drv_module* module, absl::string_view name,
                                      const hal_kernel_signature& signature,
                                      hal_drv_kernel** out_kernel) {
  const std::string name_text(name);
  const hal_kernel_desc desc{HAL_STRUCTURE_TYPE_KERNEL_DESC, nullptr, name_text.c_str(), signature};
  return table().kernel_get(module, &desc, out_kernel);
}

AbiCommandsTest::LoadedKernel AbiCommandsTest::LoadKernel(absl::string_view name) {
  LoadedKernel loaded;
  loaded.module = LoadStandardModule(name);
  if (loaded.module) loaded.kernel = GetStandardKernel(loaded.module, name);
  return loaded;
}

hal_result AbiCommandsTest::DispatchRaw(const DrvStream& stream, hal_drv_kernel* kernel,
                                        const std::array<uint32_t, 3>& grid,
                                        absl::Span<const hal_binding> bindings,
                                        const void* push_constants, uint32_t push_constant_size) {
  const hal_dispatch_desc desc{HAL_STRUCTURE_TYPE_DISPATCH_DESC,
                               nullptr,
                               {grid[0], grid[1], grid[2]},
                               bindings.empty() ? nullptr : bindings.data(),
                               static_cast<uint32_t>(bindings.size()),
                               push_constant_size == 0 ? nullptr : push_constants,
                               push_constant_size};
  return table().stream_dispatch(stream.get(), kernel, &desc);
}

void AbiCommandsTest::Write(const DrvStream& stream, hal_drv_buffer* buffer, uint64_t offset,
                            absl::Span<const uint8_t> bytes) {
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().stream_copy_host_to_device(stream.get(), bytes.data(),
                                                                    buffer, offset, bytes.size()));
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(stream.get()));
}

void AbiCommandsTest::Signal(const DrvStream& stream, hal_drv_event* event) {
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().stream_signal_event(stream.get(), event));
}

uint64_t AbiCommandsTest::Timestamp(hal_drv_event* event) {
  uint64_t ns = 0;
  EXPECT_HAL_RESULT(HAL_SUCCESS, table().event_timestamp_ns(event, &ns));
  return ns;
}

void AbiCommandsTest::EnqueueGemmChain(const DrvStream& stream, int rounds) {
  constexpr uint64_t kBytes = uint64_t{kGemmSize} * kGemmSize * sizeof(float);
  if (gemm_.kernel == nullptr) {
    gemm_ = LoadKernel("gemm_f32");
    gemm_ab_ = AllocateBuffer(kBytes);
    gemm_c_ = AllocateBuffer(kBytes);
    if (gemm_.kernel == nullptr || gemm_ab_.get() == nullptr || gemm_c_.get() == nullptr) return;
    const std::vector<float> ones(kGemmSize * kGemmSize, 1.0f);
    Write(stream, gemm_ab_.get(), 0,
          absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(ones.data()), kBytes));
  }
  const hal_binding bindings[] = {{gemm_ab_.get(), 0}, {gemm_ab_.get(), 0}, {gemm_c_.get(), 0}};
  const GemmF32Constants constants{kGemmSize, kGemmSize, kGemmSize, 1.0f, 0.0f};
  for (int round = 0; round < rounds; ++round) {
    EXPECT_HAL_RESULT(HAL_SUCCESS, Dispatch(stream, gemm_.kernel,
                                            {kGemmSize / kGemmTile, kGemmSize / kGemmTile, 1},
                                            bindings, constants));
  }
}

void AbiCommandsTest::ExpectAnswerWhileBusy(const DrvStream& stream, absl::FunctionRef<void()> then,
                                            absl::FunctionRef<hal_result()> query,
                                            hal_result expected) {
  DrvEvent witness = CreateEvent();
  if (!witness) return;
  for (int rounds = 1; rounds <= kLongestChain; rounds *= 2) {
    EnqueueGemmChain(stream, rounds);
    Signal(stream, witness.get());
    then();
    const hal_result answer = query();
    const hal_result witnessed = table().event_query(witness.get());
    EXPECT_HAL_RESULT(HAL_SUCCESS, table().stream_synchronize(stream.get()));
    if (::testing::Test::HasFailure()) return;
    if (witnessed == HAL_NOT_READY) {
      EXPECT_HAL_RESULT(expected, answer) << "while a chain of " << rounds << " gemms was pending";
      return;
    }
    EXPECT_HAL_RESULT(HAL_SUCCESS, witnessed) << "event_query of the witness";
  }
  ADD_FAILURE() << "the device finished a chain of " << kLongestChain << " " << kGemmSize
                << "^3 gemms before a query issued right after it: the answers while work is "
                   "pending could not be observed";
}

void AbiCommandsTest::SetUp() {
  DriverTableTest::SetUp();
  if (IsSkipped() || HasFatalFailure()) return;
  stream_ = CreateStream();
  ASSERT_TRUE(stream_);
}

void AbiCommandsTest::TearDown() {
  stream_ = DrvStream();
  gemm_ = LoadedKernel();
  gemm_ab_ = DrvBuffer();
  gemm_c_ = DrvBuffer();
  DriverTableTest::TearDown();
}

}  // namespace hal::cts
