// The standard OpenCL C kernels, run for real on an OpenCL device (pocl on
// the CPU in CI) through raw OpenCL calls, compute what kernels/README.md
// says with the GLSL versions' bounds: elements below n only, workgroups
// numbered linearly over 2-D and 3-D grids, workgroups past the end doing
// nothing, reduce_sum_f32's partials for w < ceil(n / epw) only and added in
// the GLSL version's order, gemm_f32 over sizes that are not multiples of its
// tile and not reading C when beta is 0. Each runs in both forms the bundle
// holds it in: the opencl-c image, and the spirv-opencl image translated back
// to SPIR bitcode (pocl takes no SPIR-V; the bitcode is what llvm-spirv reads
// out of the module, so the module's code is what runs). Inputs are small
// integers, so float results are exact whatever the order of the additions,
// except where the order is the point.
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "kernels/kernel_test_data.h"
#include "nlohmann/json.hpp"

namespace hal::kernels::testing {
namespace {

// Each kernel's push constants, laid out as its OpenCL C struct.
struct FillF32PushConstants {
  float value;
  uint32_t n;
};
struct SaxpyF32PushConstants {
  float a;
  uint32_t n;
};
struct VectorAddI32PushConstants {
  uint32_t n;
};
struct ReduceSumF32PushConstants {
  uint32_t n;
  uint32_t elements_per_workgroup;
};
struct GemmF32PushConstants {
  uint32_t m, n, k;
  float alpha, beta;
};

enum class Form { kOpenClC, kSpirvAsSpir };

std::string FormName(Form form) { return form == Form::kOpenClC ? "OpenClC" : "SpirvOpenCl"; }

void PrintTo(Form form, std::ostream* out) { *out << FormName(form); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

using Size3 = std::array<size_t, 3>;
constexpr Size3 kRow{256, 1, 1};

// An OpenCL context on the first device of the first platform for each
// test; every object is released before the test ends.
class OpenClKernelsTest : public ::testing::TestWithParam<Form> {
 protected:
  void SetUp() override {
    cl_uint platforms = 0;
    cl_platform_id platform = nullptr;
    if (clGetPlatformIDs(1, &platform, &platforms) != CL_SUCCESS || platforms == 0) {
      GTEST_SKIP() << "no OpenCL platform (the ICD loader found none; CI pins pocl through "
                      "OCL_ICD_VENDORS)";
    }
    if (clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device_, nullptr) != CL_SUCCESS) {
      GTEST_SKIP() << "the first OpenCL platform has no device";
    }
    cl_int error = CL_SUCCESS;
    context_ = clCreateContext(nullptr, 1, &device_, nullptr, nullptr, &error);
    ASSERT_EQ(error, CL_SUCCESS);
    queue_ = clCreateCommandQueue(context_, device_, 0, &error);
    ASSERT_EQ(error, CL_SUCCESS);
  }

  void TearDown() override {
    for (cl_mem buffer : buffers_) clReleaseMemObject(buffer);
    for (cl_kernel kernel : kernels_) clReleaseKernel(kernel);
    for (cl_program program : programs_) clReleaseProgram(program);
    if (queue_ != nullptr) clReleaseCommandQueue(queue_);
    if (context_ != nullptr) clReleaseContext(context_);
  }

  // The kernel `name` from its image of this test's form; null (with the
  // build log in a failure) when it does not build.
  cl_kernel Kernel(const std::string& name) {
    const std::string image_dir = HAL_TEST_OPENCL_IMAGE_DIR;
    cl_int error = CL_SUCCESS;
    cl_program program = nullptr;
    const char* options = "";
    if (GetParam() == Form::kOpenClC) {
      const std::string text = ReadFile(image_dir + "/" + name + ".cl");
      const char* source = text.c_str();
      const size_t length = text.size();
      program = clCreateProgramWithSource(context_, 1, &source, &length, &error);
      options = "-cl-std=CL1.2";
    } else {
      const std::string bitcode = ReadFile(std::string(HAL_TEST_SPIR_DIR) + "/" + name + ".bc");
      const auto* binary = reinterpret_cast<const unsigned char*>(bitcode.data());
      const size_t length = bitcode.size();
      cl_int binary_status = CL_SUCCESS;
      program =
          clCreateProgramWithBinary(context_, 1, &device_, &length, &binary, &binary_status, &error);
      EXPECT_EQ(binary_status, CL_SUCCESS);
      options = "-x spir";
    }
    EXPECT_EQ(error, CL_SUCCESS) << name;
    if (program == nullptr) return nullptr;
    programs_.push_back(program);
    if (clBuildProgram(program, 1, &device_, options, nullptr, nullptr) != CL_SUCCESS) {
      size_t log_size = 0;
      clGetProgramBuildInfo(program, device_, CL_PROGRAM_BUILD_LOG, 0, nullptr, &log_size);
      std::string log(log_size, '\0');
      clGetProgramBuildInfo(program, device_, CL_PROGRAM_BUILD_LOG, log_size, log.data(), nullptr);
      ADD_FAILURE() << name << " does not build:\n" << log;
      return nullptr;
    }
    cl_kernel kernel = clCreateKernel(program, name.c_str(), &error);
    EXPECT_EQ(error, CL_SUCCESS) << name;
    if (kernel != nullptr) kernels_.push_back(kernel);
    return kernel;
  }

  template <typename T>
  cl_mem Upload(const std::vector<T>& data) {
    cl_int error = CL_SUCCESS;
    cl_mem buffer = clCreateBuffer(context_, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                                   data.size() * sizeof(T), const_cast<T*>(data.data()), &error);
    EXPECT_EQ(error, CL_SUCCESS);
    buffers_.push_back(buffer);
    return buffer;
  }

  template <typename T>
  void Download(cl_mem buffer, std::vector<T>* data) {
    ASSERT_EQ(clEnqueueReadBuffer(queue_, buffer, CL_TRUE, 0, data->size() * sizeof(T),
                                  data->data(), 0, nullptr, nullptr),
              CL_SUCCESS);
  }

  // Dispatches `groups` workgroups of `local` work-items of kernel `name`,
  // its bindings then its push constants as arguments, and waits.
  template <typename PushConstants>
  void Launch(const std::string& name, Size3 groups, Size3 local, std::vector<cl_mem> bindings,
              const PushConstants& push_constants) {
    cl_kernel kernel = Kernel(name);
    ASSERT_NE(kernel, nullptr);
    cl_uint index = 0;
    for (cl_mem& binding : bindings) {
      ASSERT_EQ(clSetKernelArg(kernel, index++, sizeof(cl_mem), &binding), CL_SUCCESS);
    }
    ASSERT_EQ(clSetKernelArg(kernel, index, sizeof(PushConstants), &push_constants), CL_SUCCESS);
    Enqueue(kernel, groups, local);
  }

  void Enqueue(cl_kernel kernel, Size3 groups, Size3 local) {
    const Size3 global{groups[0] * local[0], groups[1] * local[1], groups[2] * local[2]};
    ASSERT_EQ(clEnqueueNDRangeKernel(queue_, kernel, 3, nullptr, global.data(), local.data(), 0,
                                     nullptr, nullptr),
              CL_SUCCESS);
    ASSERT_EQ(clFinish(queue_), CL_SUCCESS);
  }

  cl_device_id device_ = nullptr;
  cl_context context_ = nullptr;
  cl_command_queue queue_ = nullptr;
  std::vector<cl_program> programs_;
  std::vector<cl_kernel> kernels_;
  std::vector<cl_mem> buffers_;
};

// The kernel ABI as the device reads it: every kernel of the manifest builds,
// takes its bindings plus one push-constant argument (none without push
// constants), and requires the manifest's workgroup size.
TEST_P(OpenClKernelsTest, EveryKernelHasTheManifestsArgumentsAndWorkgroupSize) {
  const nlohmann::json manifest =
      nlohmann::json::parse(ReadFile(HAL_TEST_STANDARD_KERNELS_MANIFEST));
  ASSERT_EQ(manifest["kernels"].size(), 6u);
  for (const nlohmann::json& entry : manifest["kernels"]) {
    const std::string name = entry["name"];
    SCOPED_TRACE(name);
    cl_kernel kernel = Kernel(name);
    ASSERT_NE(kernel, nullptr);
    cl_uint arguments = 0;
    ASSERT_EQ(clGetKernelInfo(kernel, CL_KERNEL_NUM_ARGS, sizeof(arguments), &arguments, nullptr),
              CL_SUCCESS);
    const uint32_t push_constant_size = entry["push_constant_size"];
    EXPECT_EQ(arguments, entry["bindings"].get<uint32_t>() + (push_constant_size > 0 ? 1 : 0));
    Size3 required{};
    ASSERT_EQ(clGetKernelWorkGroupInfo(kernel, device_, CL_KERNEL_COMPILE_WORK_GROUP_SIZE,
                                       sizeof(required), required.data(), nullptr),
              CL_SUCCESS);
    EXPECT_EQ(required[0], entry["workgroup_size"][0].get<size_t>());
    EXPECT_EQ(required[1], entry["workgroup_size"][1].get<size_t>());
    EXPECT_EQ(required[2], entry["workgroup_size"][2].get<size_t>());
  }
}

TEST_P(OpenClKernelsTest, FillF32WritesTheElementsBelowNOverA2DGrid) {
  const uint32_t n = 1300;  // 6 workgroups, the last partial
  std::vector<float> out = WithSentinels(n, 0.0f);
  cl_mem buffer = Upload(out);
  Launch("fill_f32", {3, 2, 1}, kRow, {buffer}, FillF32PushConstants{2.5f, n});
  Download(buffer, &out);
  for (uint32_t i = 0; i < n; ++i) ASSERT_EQ(out[i], 2.5f) << "element " << i;
  ExpectSentinelsAfter(out, n);
}

TEST_P(OpenClKernelsTest, FillF32WorkgroupsPastTheEndOfA3DGridDoNothing) {
  const uint32_t n = 1900;  // 8 workgroups needed, 12 dispatched
  std::vector<float> out = WithSentinels(n, 0.0f);
  cl_mem buffer = Upload(out);
  Launch("fill_f32", {2, 2, 3}, kRow, {buffer}, FillF32PushConstants{-1.0f, n});
  Download(buffer, &out);
  for (uint32_t i = 0; i < n; ++i) ASSERT_EQ(out[i], -1.0f) << "element " << i;
  ExpectSentinelsAfter(out, n);
}

// A 3-D grid whose workgroups each cover their own elements once: a
// numbering that ignored y or z would update some elements twice.
TEST_P(OpenClKernelsTest, SaxpyF32ComputesAxPlusYBelowNOnceEach) {
  const uint32_t n = 600;
  std::vector<float> x(n + 256);
  std::vector<float> y = WithSentinels(n, 0.0f);
  for (uint32_t i = 0; i < n; ++i) {
    x[i] = static_cast<float>(i % 17);
    y[i] = static_cast<float>(i % 5);
  }
  cl_mem y_buffer = Upload(y);
  Launch("saxpy_f32", {1, 2, 2}, kRow, {Upload(x), y_buffer}, SaxpyF32PushConstants{3.0f, n});
  Download(y_buffer, &y);
  for (uint32_t i = 0; i < n; ++i) {
    ASSERT_EQ(y[i], 3.0f * static_cast<float>(i % 17) + static_cast<float>(i % 5))
        << "element " << i;
  }
  ExpectSentinelsAfter(y, n);
}

TEST_P(OpenClKernelsTest, VectorAddI32WrapsOnOverflow) {
  const uint32_t n = 300;
  std::vector<uint32_t> a(n, 0x7FFFFFFFu);
  std::vector<uint32_t> b(n, 1);
  std::vector<uint32_t> c(n + 256, 7);
  b[1] = 0x80000001u;  // -2147483647: the sum is 0
  cl_mem c_buffer = Upload(c);
  Launch("vector_add_i32", {2, 1, 1}, kRow, {Upload(a), Upload(b), c_buffer},
         VectorAddI32PushConstants{n});
  Download(c_buffer, &c);
  EXPECT_EQ(c[0], 0x80000000u);  // INT_MAX + 1 wraps to INT_MIN
  EXPECT_EQ(c[1], 0u);
  for (uint32_t i = 2; i < n; ++i) ASSERT_EQ(c[i], 0x80000000u) << "element " << i;
  for (size_t i = n; i < c.size(); ++i) ASSERT_EQ(c[i], 7u) << "element " << i;
}

TEST_P(OpenClKernelsTest, ReduceSumF32WritesOnePartialPerWorkgroupBelowCeilNOverEpw) {
  const uint32_t n = 1000;
  const uint32_t epw = 300;  // partials of 300, 300, 300 and 100 elements
  std::vector<float> in(n);
  for (uint32_t i = 0; i < n; ++i) in[i] = static_cast<float>(i % 7);
  std::vector<float> out(8, kSentinel);
  cl_mem out_buffer = Upload(out);
  Launch("reduce_sum_f32", {3, 2, 1}, kRow, {Upload(in), out_buffer},
         ReduceSumF32PushConstants{n, epw});  // 6 workgroups, 4 partials
  Download(out_buffer, &out);
  for (uint32_t w = 0; w < 4; ++w) {
    float expected = 0;
    for (uint32_t i = w * epw; i < std::min(n, (w + 1) * epw); ++i) expected += in[i];
    EXPECT_EQ(out[w], expected) << "partial " << w;
  }
  for (uint32_t w = 4; w < out.size(); ++w) EXPECT_EQ(out[w], kSentinel) << "partial " << w;
}

// The GLSL version's order, on inputs whose sum depends on it: each of the
// 256 lanes adds its stride of elements in turn, then the lanes' sums are
// added as a tree, halving the width each step.
TEST_P(OpenClKernelsTest, ReduceSumF32AddsInTheGlslVersionsOrder) {
  const uint32_t n = 5000;
  std::vector<float> in(n);
  for (uint32_t i = 0; i < n; ++i) in[i] = 1.0f / static_cast<float>(i + 1) + 1e4f * (i % 3);
  std::vector<float> out(1, kSentinel);
  cl_mem out_buffer = Upload(out);
  Launch("reduce_sum_f32", {1, 1, 1}, kRow, {Upload(in), out_buffer},
         ReduceSumF32PushConstants{n, n});
  Download(out_buffer, &out);
  std::array<float, 256> lanes{};
  for (uint32_t lane = 0; lane < 256; ++lane) {
    for (uint32_t i = lane; i < n; i += 256) lanes[lane] += in[i];
  }
  for (uint32_t width = 128; width > 0; width /= 2) {
    for (uint32_t lane = 0; lane < width; ++lane) lanes[lane] += lanes[lane + width];
  }
  EXPECT_EQ(out[0], lanes[0]);
}

TEST_P(OpenClKernelsTest, ReduceSumF32WithZeroElementsPerWorkgroupWritesNothing) {
  std::vector<float> out(2, kSentinel);
  cl_mem out_buffer = Upload(out);
  Launch("reduce_sum_f32", {2, 1, 1}, kRow, {Upload(std::vector<float>(256, 1.0f)), out_buffer},
         ReduceSumF32PushConstants{256, 0});
  Download(out_buffer, &out);
  EXPECT_EQ(out[0], kSentinel);
  EXPECT_EQ(out[1], kSentinel);
}

TEST_P(OpenClKernelsTest, GemmF32WithBetaZeroDoesNotReadC) {
  GemmCase g = SmallGemm(std::numeric_limits<float>::quiet_NaN());
  cl_mem c_buffer = Upload(g.c);
  Launch("gemm_f32", {2, 2, 1}, {16, 16, 1}, {Upload(g.a), Upload(g.b), c_buffer},
         GemmF32PushConstants{g.m, g.n, g.k, 2.0f, 0.0f});
  Download(c_buffer, &g.c);
  for (uint32_t row = 0; row < g.m; ++row) {
    for (uint32_t col = 0; col < g.n; ++col) {
      ASSERT_EQ(g.c[row * g.n + col], 2.0f * Product(g, row, col)) << row << "," << col;
    }
  }
}

TEST_P(OpenClKernelsTest, GemmF32ScalesCByBeta) {
  GemmCase g = SmallGemm(3.0f);
  cl_mem c_buffer = Upload(g.c);
  Launch("gemm_f32", {2, 2, 1}, {16, 16, 1}, {Upload(g.a), Upload(g.b), c_buffer},
         GemmF32PushConstants{g.m, g.n, g.k, 1.0f, -1.0f});
  Download(c_buffer, &g.c);
  for (uint32_t row = 0; row < g.m; ++row) {
    for (uint32_t col = 0; col < g.n; ++col) {
      ASSERT_EQ(g.c[row * g.n + col], Product(g, row, col) - 3.0f) << row << "," << col;
    }
  }
}

TEST_P(OpenClKernelsTest, NoopRunsWithoutArguments) {
  cl_kernel kernel = Kernel("noop");
  ASSERT_NE(kernel, nullptr);
  Enqueue(kernel, {2, 1, 1}, {1, 1, 1});
}

INSTANTIATE_TEST_SUITE_P(BothImages, OpenClKernelsTest,
                         ::testing::Values(Form::kOpenClC, Form::kSpirvAsSpir),
                         [](const ::testing::TestParamInfo<Form>& info) {
                           return FormName(info.param);
                         });

}  // namespace
}  // namespace hal::kernels::testing
