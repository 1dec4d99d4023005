#include "backends/gpu_core/image_formats.h"

#include "gtest/gtest.h"

namespace hal::gpu {
namespace {

TEST(ImageFormatsTest, SameMajorWithNoHigherMinorBestFirstThenPtx) {
  EXPECT_EQ(NvidiaKernelFormats("sm_89"),
            "cubin:sm_89,cubin:sm_88,cubin:sm_87,cubin:sm_86,cubin:sm_80,ptx");
  EXPECT_EQ(NvidiaKernelFormats("sm_90"), "cubin:sm_90,ptx");
  EXPECT_EQ(NvidiaKernelFormats("sm_80"), "cubin:sm_80,ptx");
  EXPECT_EQ(NvidiaKernelFormats("sm_75"), "cubin:sm_75,cubin:sm_72,cubin:sm_70,ptx");
  EXPECT_EQ(NvidiaKernelFormats("sm_103"), "cubin:sm_103,cubin:sm_101,cubin:sm_100,ptx");
}

TEST(ImageFormatsTest, AnUnreleasedMinorStillTakesItsOwnCubinFirst) {
  EXPECT_EQ(NvidiaKernelFormats("sm_91"), "cubin:sm_91,cubin:sm_90,ptx");
}

TEST(ImageFormatsTest, NotAnSmNameGivesNoFormats) {
  EXPECT_EQ(NvidiaKernelFormats("gfx90a"), "");
  EXPECT_EQ(NvidiaKernelFormats("sm_"), "");
  EXPECT_EQ(NvidiaKernelFormats("sm_9"), "");
  EXPECT_EQ(NvidiaKernelFormats("sm_9x"), "");
}

}  // namespace
}  // namespace hal::gpu
