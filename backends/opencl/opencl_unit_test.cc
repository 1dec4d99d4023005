// What the OpenCL driver decides without a device: CL error names and
// results, version parsing, the kernel formats a device lists, and the
// kernel-signature check.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
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

KernelDeclaration Declared(uint32_t arguments, std::vector<bool> global,
                           std::optional<uint32_t> push_constant_size, size_t workgroup = 64) {
  KernelDeclaration declared;
  declared.argument_count = arguments;
  declared.global_pointers = std::move(global);
  declared.push_constant_size = push_constant_size;
  declared.workgroup_size[0] = workgroup;
  declared.workgroup_size[1] = workgroup == 0 ? 0 : 1;
  declared.workgroup_size[2] = workgroup == 0 ? 0 : 1;
  return declared;
}

TEST(SignatureMismatch, MatchingKernelPasses) {
  EXPECT_EQ(SignatureMismatch("k", kSignature, Declared(3, {true, true, false}, 8)), "");
  EXPECT_EQ(SignatureMismatch("k", kSignature, Declared(3, {}, std::nullopt, 0)), "")
      << "without argument info, sizes or a declared workgroup, the count alone is checked";
  EXPECT_EQ(SignatureMismatch("k", kSignature, Declared(3, {true, true, false}, std::nullopt)), "")
      << "a struct of unknown size is taken at its word";
  EXPECT_EQ(SignatureMismatch("k", {2, 0, {64, 1, 1}}, Declared(2, {true, true}, std::nullopt)), "")
      << "no push constants, no struct argument";
}

TEST(SignatureMismatch, NamesWhatDiffers) {
  EXPECT_THAT(SignatureMismatch("k", kSignature, Declared(3, {true, true, false}, 20)),
              HasSubstr("kernel 'k' takes 2 bindings and 20 bytes of push constants, but its "
                        "signature declares 2 bindings and 8 bytes of push constants"));
  EXPECT_THAT(SignatureMismatch("k", kSignature, Declared(2, {true, true}, std::nullopt)),
              HasSubstr("takes 2 bindings and 0 bytes of push constants"));
  EXPECT_THAT(SignatureMismatch("k", kSignature, Declared(3, {true, false, true}, std::nullopt)),
              HasSubstr("does not follow the kernel ABI: argument 1 is not a __global pointer"));
  EXPECT_THAT(SignatureMismatch("k", kSignature, Declared(2, {}, std::nullopt)),
              HasSubstr("kernel 'k' takes 2 arguments, but its signature declares 2 bindings and "
                        "8 bytes of push constants (3 arguments)"));
  EXPECT_THAT(SignatureMismatch("k", kSignature, Declared(3, {}, 12)),
              HasSubstr("reads 12 bytes of push constants, but its signature declares 8"));
  EXPECT_THAT(SignatureMismatch("k", kSignature, Declared(3, {}, 8, 128)),
              HasSubstr("declares reqd_work_group_size(128,1,1), but its signature declares a "
                        "workgroup of (64,1,1)"));
}

}  // namespace
}  // namespace hal::opencl
