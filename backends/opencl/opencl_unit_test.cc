// What the OpenCL driver decides without a device: CL error names and
// results, version parsing, the kernel formats a device lists, and the
// kernel-signature check.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "backends/opencl/opencl_devices.h"
#include "backends/opencl/opencl_errors.h"
#include "backends/opencl/opencl_module.h"

namespace hal::opencl {
namespace {

using ::testing::HasSubstr;

TEST(OpenClErrors, CodesMapToResultsWithTheirNames) {
  EXPECT_EQ(Check(CL_SUCCESS, "clFinish"), HAL_SUCCESS);
  EXPECT_EQ(Check(CL_INVALID_KERNEL_NAME, "clCreateKernel"), HAL_ERROR_NOT_FOUND);
  EXPECT_STREQ(LastErrorMessage(), "clCreateKernel: CL_INVALID_KERNEL_NAME (-46)");
  EXPECT_EQ(Check(CL_MEM_OBJECT_ALLOCATION_FAILURE, "clEnqueueWriteBuffer"),
            HAL_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(Check(CL_BUILD_PROGRAM_FAILURE, "clBuildProgram", "1 error generated"),
            HAL_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(LastErrorMessage(),
               "clBuildProgram: CL_BUILD_PROGRAM_FAILURE (-11): 1 error generated");
  EXPECT_EQ(Check(-1001, "clGetPlatformIDs"), HAL_ERROR_UNAVAILABLE);
  EXPECT_THAT(LastErrorMessage(), HasSubstr("CL_PLATFORM_NOT_FOUND_KHR"));
  EXPECT_EQ(Check(CL_INVALID_MEM_OBJECT, "clSetKernelArg"), HAL_ERROR_INTERNAL)
      << "the runtime validated the objects: a complaint about one is the driver's bug";
}

TEST(OpenClErrors, UnknownCodesAreInternalAndSaySo) {
  EXPECT_EQ(Check(-9999, "clVendorCall"), HAL_ERROR_INTERNAL);
  EXPECT_STREQ(LastErrorMessage(), "clVendorCall: unknown error (-9999)");
}

TEST(ParseOpenClVersion, ReadsMajorAndMinor) {
  EXPECT_EQ(ParseOpenClVersion("OpenCL 3.0 PoCL HSTR: pthread"), 300);
  EXPECT_EQ(ParseOpenClVersion("OpenCL 1.2 CUDA"), 120);
  EXPECT_EQ(ParseOpenClVersion("OpenCL 2.1 "), 210);
  EXPECT_EQ(ParseOpenClVersion("something else"), 0);
  EXPECT_EQ(ParseOpenClVersion(""), 0);
}

TEST(KernelFormats, SpirvComesFirstWhereTheDeviceTakesIl) {
  EXPECT_EQ(KernelFormats(true, true), "spirv-opencl,opencl-c");
  EXPECT_EQ(KernelFormats(false, true), "opencl-c");
  EXPECT_EQ(KernelFormats(true, false), "spirv-opencl");
}

constexpr hal_kernel_signature kSignature{2, 8, {64, 1, 1}};
constexpr size_t kDeclared64[3] = {64, 1, 1};
constexpr size_t kUndeclared[3] = {0, 0, 0};

TEST(SignatureMismatch, MatchingKernelPasses) {
  EXPECT_EQ(SignatureMismatch("k", kSignature, 3, {true, true, false}, kDeclared64), "");
  EXPECT_EQ(SignatureMismatch("k", kSignature, 3, {}, kUndeclared), "")
      << "without argument info or a declared size, the count alone is checked";
  EXPECT_EQ(SignatureMismatch("k", {2, 0, {64, 1, 1}}, 2, {true, true}, kDeclared64), "")
      << "no push constants, no struct argument";
}

TEST(SignatureMismatch, NamesWhatDiffers) {
  EXPECT_THAT(SignatureMismatch("k", kSignature, 2, {}, kDeclared64),
              HasSubstr("kernel 'k' takes 2 arguments, but its signature declares 2 bindings and "
                        "8 bytes of push constants (3 arguments)"));
  EXPECT_THAT(SignatureMismatch("k", kSignature, 3, {true, false, false}, kDeclared64),
              HasSubstr("argument 1 is not a __global pointer"));
  EXPECT_THAT(SignatureMismatch("k", kSignature, 3, {true, true, true}, kDeclared64),
              HasSubstr("passed by value"));
  constexpr size_t kDeclared128[3] = {128, 1, 1};
  EXPECT_THAT(SignatureMismatch("k", kSignature, 3, {}, kDeclared128),
              HasSubstr("declares reqd_work_group_size(128,1,1), but its signature declares a "
                        "workgroup of (64,1,1)"));
}

}  // namespace
}  // namespace hal::opencl
