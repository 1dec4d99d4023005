// The metadata parsers on the standard kernel set's own CUDA images
// (kernels/cuda, built by nvcc into the standard bundle): every kernel of
// every cubin and of the PTX has the layout the kernel ABI prescribes.
#include <gtest/gtest.h>

#include <filesystem>

#include "absl/strings/match.h"
#include "hal/kernel_bundle.h"
#include "tests/fake_cuda/cubin_params.h"
#include "tests/fake_cuda/ptx_params.h"

namespace hal::fake::cuda {
namespace {

TEST(StandardBundleParamsTest, EveryCudaImageDeclaresTheKernelAbiLayout) {
  if (!std::filesystem::exists(HAL_FAKE_CUDA_STANDARD_BUNDLE)) {
    GTEST_SKIP() << "no standard bundle at " << HAL_FAKE_CUDA_STANDARD_BUNDLE;
  }
  absl::StatusOr<KernelBundle> bundle = KernelBundle::ReadFile(HAL_FAKE_CUDA_STANDARD_BUNDLE);
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  int images = 0;
  for (const KernelImage& image : bundle->images()) {
    const bool cubin = absl::StartsWith(image.format, "cubin:");
    if (!cubin && image.format != "ptx") continue;
    SCOPED_TRACE(image.format);
    ++images;
    absl::StatusOr<std::map<std::string, KernelParamLayout>> layouts =
        cubin ? ReadCubinParams(image.data)
              : ReadPtxParams(absl::string_view(reinterpret_cast<const char*>(image.data.data()),
                                                image.data.size()));
    ASSERT_TRUE(layouts.ok()) << layouts.status();
    for (const KernelInfo& kernel : bundle->kernels()) {
      SCOPED_TRACE(kernel.name);
      const auto found = layouts->find(kernel.name);
      ASSERT_NE(found, layouts->end());
      const KernelParamLayout& layout = found->second;
      const size_t expected = kernel.binding_count + (kernel.push_constant_size > 0 ? 1 : 0);
      ASSERT_EQ(layout.params.size(), expected);
      for (uint32_t i = 0; i < kernel.binding_count; ++i) EXPECT_EQ(layout.params[i].size, 8u);
      if (kernel.push_constant_size > 0) {
        EXPECT_EQ(layout.params.back().size, kernel.push_constant_size);
      }
      EXPECT_EQ(layout.max_threads_per_block,
                kernel.workgroup_size[0] * kernel.workgroup_size[1] * kernel.workgroup_size[2]);
    }
  }
  if (images == 0) GTEST_SKIP() << "the standard bundle has no CUDA images (no nvcc at build time)";
}

}  // namespace
}  // namespace hal::fake::cuda
