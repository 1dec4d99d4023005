// A bundle whose manifest declares a kernel with fewer bindings, fewer
// push-constant bytes or another workgroup size than its image is refused at
// LoadKernel with InvalidArgument, on every device: the CPU driver compares
// the image's HAL_CPU_KERNEL_SIGNATURE, the Vulkan driver the SPIR-V entry
// point. Dispatching such a kernel would read bindings or constants it was
// never given.
#include <functional>
#include <string>
#include <vector>

#include "conformance/coverage/coverage.h"
#include "conformance/device_test.h"
#include "conformance/status_matchers.h"
#include "gmock/gmock.h"

namespace hal::cts {
namespace {

using ::testing::HasSubstr;

class KernelSignature : public DeviceTest {
 protected:
  // The standard bundle with saxpy_f32's manifest entry changed by `edit`.
  absl::StatusOr<KernelBundle> WithSaxpy(const std::function<void(KernelInfo&)>& edit) const {
    std::vector<KernelInfo> kernels = this->kernels().kernels();
    for (KernelInfo& kernel : kernels) {
      if (kernel.name == "saxpy_f32") edit(kernel);
    }
    return KernelBundle::Create(std::move(kernels), this->kernels().images());
  }
};

HAL_CTS_COVERS("KernelSignature.AManifestThatDisagreesWithTheImageIsRefused",
               {"kernel_get", "invalid-argument"});
TEST_P(KernelSignature, AManifestThatDisagreesWithTheImageIsRefused) {
  const std::vector<std::pair<std::string, std::function<void(KernelInfo&)>>> edits = {
      {"one binding fewer", [](KernelInfo& k) { k.binding_count = 1; }},
      {"fewer push-constant bytes", [](KernelInfo& k) { k.push_constant_size = 4; }},
      {"another workgroup size",
       [](KernelInfo& k) {
         k.workgroup_size = {128, 1, 1};
       }},
  };
  for (const auto& [what, edit] : edits) {
    SCOPED_TRACE(what);
    HAL_CTS_ASSERT_OK_AND_ASSIGN(KernelBundle bundle, WithSaxpy(edit));
    absl::StatusOr<std::shared_ptr<Kernel>> kernel = device().LoadKernel(bundle, "saxpy_f32");
    ASSERT_FALSE(kernel.ok()) << "a kernel declared with " << what << " than its image was loaded";
    EXPECT_EQ(kernel.status().code(), absl::StatusCode::kInvalidArgument) << kernel.status();
    EXPECT_THAT(kernel.status().message(), HasSubstr("saxpy_f32"));
  }
  // The device is undisturbed: the true kernel still loads.
  HAL_CTS_EXPECT_OK(LoadKernel("saxpy_f32").status());
}

}  // namespace

HAL_CTS_INSTANTIATE_DEVICE_TESTS(KernelSignature);

}  // namespace hal::cts
