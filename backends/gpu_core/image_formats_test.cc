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

TEST(ImageFormatsTest, AmdFeatureSettingsAreMatchedSetOrUnsetMostSpecificFirst) {
  EXPECT_EQ(AmdKernelFormats("gfx90a:sramecc+:xnack-"),
            "hsaco:gfx90a:sramecc+:xnack-,hsaco:gfx90a:sramecc+,hsaco:gfx90a:xnack-,"
            "hsaco:gfx90a");
  EXPECT_EQ(AmdKernelFormats("gfx908:xnack+"), "hsaco:gfx908:xnack+,hsaco:gfx908");
  EXPECT_EQ(AmdKernelFormats("gfx1030"), "hsaco:gfx1030");
  EXPECT_EQ(AmdProcessor("gfx90a:sramecc+:xnack-"), "gfx90a");
  EXPECT_EQ(AmdProcessor("gfx1030"), "gfx1030");
}

TEST(ImageFormatsTest, AMalformedAmdTargetIdGivesNoFormats) {
  for (const char* malformed : {"", "gfx", "sm_90", "gfx90g", "gfx90a:", "gfx90a:xnack",
                                "gfx90a:sramecc+:", "gfx90a::xnack-"}) {
    EXPECT_EQ(AmdKernelFormats(malformed), "") << malformed;
    EXPECT_EQ(AmdProcessor(malformed), "") << malformed;
  }
}

}  // namespace
}  // namespace hal::gpu
