#include "bench/raw_opencl.h"

#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/bench_context.h"
#include "hal/hal.h"
#include "hal/status_macros.h"

namespace hal::bench {
namespace {

constexpr char kSourceFormat[] = "opencl-c";

std::string DeviceName(cl_device_id device) {
  char name[256] = {};
  opencl::Api().clGetDeviceInfo(device, CL_DEVICE_NAME, sizeof(name) - 1, name, nullptr);
  return name;
}

absl::StatusOr<cl_device_id> FindDevice(absl::string_view device_name) {
  const opencl::OpenClApi& cl = opencl::Api();
  cl_uint platform_count = 0;
  HAL_RETURN_IF_ERROR(
      ClStatus(cl.clGetPlatformIDs(0, nullptr, &platform_count), "clGetPlatformIDs"));
  std::vector<cl_platform_id> platforms(platform_count);
  HAL_RETURN_IF_ERROR(
      ClStatus(cl.clGetPlatformIDs(platform_count, platforms.data(), nullptr), "clGetPlatformIDs"));
  for (const cl_platform_id platform : platforms) {
    cl_uint count = 0;
    if (cl.clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, nullptr, &count) != CL_SUCCESS) continue;
    std::vector<cl_device_id> devices(count);
    if (cl.clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, count, devices.data(), nullptr) !=
        CL_SUCCESS) {
      continue;
    }
    for (const cl_device_id device : devices) {
      if (DeviceName(device) == device_name) return device;
    }
  }
  return absl::NotFoundError(absl::StrCat("no OpenCL device is named \"", device_name, "\""));
}

}  // namespace

absl::Status ClStatus(cl_int code, absl::string_view call) {
  if (code == CL_SUCCESS) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(call, " failed: ", code));
}

absl::StatusOr<std::unique_ptr<RawOpenCl>> RawOpenCl::Open(absl::string_view device_name) {
  if (opencl::LoadOpenClApi() != HAL_SUCCESS) {
    return absl::UnavailableError("libOpenCL.so.1 did not load");
  }
  std::unique_ptr<RawOpenCl> raw(new RawOpenCl());
  HAL_ASSIGN_OR_RETURN(raw->device_, FindDevice(device_name));
  const opencl::OpenClApi& cl = opencl::Api();
  cl_int status = CL_SUCCESS;
  raw->context_ = cl.clCreateContext(nullptr, 1, &raw->device_, nullptr, nullptr, &status);
  HAL_RETURN_IF_ERROR(ClStatus(status, "clCreateContext"));
  // What an OpenCL program uses: an in-order queue without profiling.
  raw->queue_ = cl.clCreateCommandQueue(raw->context_, raw->device_, 0, &status);
  HAL_RETURN_IF_ERROR(ClStatus(status, "clCreateCommandQueue"));
  return raw;
}

RawOpenCl::~RawOpenCl() {
  const opencl::OpenClApi& cl = opencl::Api();
  for (const cl_kernel kernel : kernels_) cl.clReleaseKernel(kernel);
  for (const cl_program program : programs_) cl.clReleaseProgram(program);
  for (const cl_mem buffer : buffers_) cl.clReleaseMemObject(buffer);
  if (queue_ != nullptr) cl.clReleaseCommandQueue(queue_);
  if (context_ != nullptr) cl.clReleaseContext(context_);
}

absl::StatusOr<cl_mem> RawOpenCl::CreateBuffer(size_t size) {
  cl_int status = CL_SUCCESS;
  const cl_mem buffer = cl().clCreateBuffer(context_, CL_MEM_READ_WRITE, size, nullptr, &status);
  HAL_RETURN_IF_ERROR(ClStatus(status, "clCreateBuffer"));
  buffers_.push_back(buffer);
  return buffer;
}

absl::StatusOr<cl_kernel> RawOpenCl::BuildKernel(absl::string_view source,
                                                 const std::string& kernel) {
  cl_int status = CL_SUCCESS;
  const char* text = source.data();
  const size_t length = source.size();
  const cl_program program = cl().clCreateProgramWithSource(context_, 1, &text, &length, &status);
  HAL_RETURN_IF_ERROR(ClStatus(status, "clCreateProgramWithSource"));
  programs_.push_back(program);
  HAL_RETURN_IF_ERROR(ClStatus(cl().clBuildProgram(program, 1, &device_, nullptr, nullptr, nullptr),
                               "clBuildProgram"));
  const cl_kernel built = cl().clCreateKernel(program, kernel.c_str(), &status);
  HAL_RETURN_IF_ERROR(ClStatus(status, "clCreateKernel"));
  kernels_.push_back(built);
  return built;
}

absl::StatusOr<std::string> StandardOpenClSource(absl::string_view kernel) {
  const std::string path = StandardBundlePath();
  HAL_ASSIGN_OR_RETURN(const KernelBundle bundle, KernelBundle::ReadFile(path),
                       "reading the kernel bundle ", path);
  for (const KernelImage& image : bundle.images()) {
    if (image.format == kSourceFormat && image.kernel_name == kernel) {
      return std::string(image.data.begin(), image.data.end());
    }
  }
  return absl::NotFoundError(
      absl::StrCat(path, " has no ", kSourceFormat, " image of kernel \"", kernel, "\""));
}

absl::StatusOr<std::string> BenchOpenClDeviceName() {
  HAL_ASSIGN_OR_RETURN(const auto selected, SelectDevice("opencl"));
  return selected.device->properties().name;
}

}  // namespace hal::bench
