#include "backends/opencl/opencl_module.h"

#include <cstring>
#include <string>

#include "backends/opencl/opencl_errors.h"

namespace hal::opencl {
namespace {

// Argument info (address qualifiers) is kept only when asked for; the driver
// checks kernels against their signatures with it.
constexpr char kBuildOptions[] = "-cl-kernel-arg-info";

std::string BuildLog(cl_program program, cl_device_id device) {
  size_t size = 0;
  if (Api().clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, nullptr, &size) !=
          CL_SUCCESS ||
      size == 0) {
    return "";
  }
  std::string log(size, '\0');
  if (Api().clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, size, log.data(),
                                  nullptr) != CL_SUCCESS) {
    return "";
  }
  log.resize(std::strlen(log.c_str()));
  return log;
}

std::string Triple(const uint32_t (&size)[3]) {
  return std::to_string(size[0]) + "," + std::to_string(size[1]) + "," + std::to_string(size[2]);
}

// For each argument, whether it is a __global pointer; empty when the
// program kept no argument info (a SPIR-V program may not).
std::vector<bool> GlobalPointers(cl_kernel kernel, cl_uint count) {
  std::vector<bool> global(count);
  for (cl_uint i = 0; i < count; ++i) {
    cl_kernel_arg_address_qualifier qualifier = 0;
    if (Api().clGetKernelArgInfo(kernel, i, CL_KERNEL_ARG_ADDRESS_QUALIFIER, sizeof(qualifier),
                                 &qualifier, nullptr) != CL_SUCCESS) {
      return {};
    }
    global[i] = qualifier == CL_KERNEL_ARG_ADDRESS_GLOBAL;
  }
  return global;
}

}  // namespace

std::string SignatureMismatch(std::string_view name, const hal_kernel_signature& signature,
                              uint32_t argument_count, const std::vector<bool>& global_pointers,
                              const size_t (&declared)[3]) {
  const std::string kernel = "kernel '" + std::string(name) + "'";
  const bool has_constants = signature.push_constant_size > 0;
  const uint32_t expected = signature.binding_count + (has_constants ? 1 : 0);
  if (argument_count != expected) {
    return kernel + " takes " + std::to_string(argument_count) +
           " arguments, but its signature declares " + std::to_string(signature.binding_count) +
           " bindings and " + std::to_string(signature.push_constant_size) +
           " bytes of push constants (" + std::to_string(expected) + " arguments)";
  }
  if (!global_pointers.empty()) {
    for (uint32_t i = 0; i < signature.binding_count; ++i) {
      if (!global_pointers[i]) {
        return kernel + ": argument " + std::to_string(i) +
               " is not a __global pointer, but the signature makes it binding " +
               std::to_string(i);
      }
    }
    if (has_constants && global_pointers[signature.binding_count]) {
      return kernel + ": argument " + std::to_string(signature.binding_count) +
             " (the push constants) is a __global pointer; push constants are one struct "
             "passed by value";
    }
  }
  const bool undeclared = declared[0] == 0 && declared[1] == 0 && declared[2] == 0;
  const uint32_t declared32[3] = {static_cast<uint32_t>(declared[0]),
                                  static_cast<uint32_t>(declared[1]),
                                  static_cast<uint32_t>(declared[2])};
  if (!undeclared && std::memcmp(declared32, signature.workgroup_size, sizeof(declared32)) != 0) {
    return kernel + " declares reqd_work_group_size(" + Triple(declared32) +
           "), but its signature declares a workgroup of (" + Triple(signature.workgroup_size) +
           ")";
  }
  return "";
}

Kernel::~Kernel() {
  for (const cl_kernel kernel : all_) Api().clReleaseKernel(kernel);
}

hal_result Kernel::Acquire(cl_kernel* out) {
  {
    std::lock_guard lock(mutex_);
    if (!free_.empty()) {
      *out = free_.back();
      free_.pop_back();
      return HAL_SUCCESS;
    }
  }
  cl_int status = CL_SUCCESS;
  const cl_kernel kernel = Api().clCreateKernel(program_, name_.c_str(), &status);
  HAL_CL_RETURN_IF_FAILED(Check(status, "clCreateKernel"));
  std::lock_guard lock(mutex_);
  all_.push_back(kernel);
  *out = kernel;
  return HAL_SUCCESS;
}

void Kernel::Release(cl_kernel kernel) {
  std::lock_guard lock(mutex_);
  free_.push_back(kernel);
}

hal_result Module::Load(Context& context, const hal_module_desc& desc,
                        std::unique_ptr<Module>* out) {
  cl_int status = CL_SUCCESS;
  cl_program program = nullptr;
  const std::string_view format = desc.format;
  if (format == kSourceFormat) {
    const char* source = static_cast<const char*>(desc.image);
    const size_t length = desc.image_size;
    program = Api().clCreateProgramWithSource(context.context(), 1, &source, &length, &status);
    HAL_CL_RETURN_IF_FAILED(Check(status, "clCreateProgramWithSource"));
  } else if (format == kSpirvFormat && context.device().takes_il) {
    program = Api().clCreateProgramWithIL(context.context(), desc.image, desc.image_size, &status);
    HAL_CL_RETURN_IF_FAILED(Check(status, "clCreateProgramWithIL"));
  } else {
    return Fail(HAL_ERROR_INVALID_ARGUMENT, "the OpenCL device takes no '" + std::string(format) +
                                                "' images (it takes " +
                                                context.device().properties.kernel_formats + ")");
  }
  std::unique_ptr<Module> module(new Module(context, program));
  const cl_device_id device = context.device_id();
  const cl_int built = Api().clBuildProgram(program, 1, &device, kBuildOptions, nullptr, nullptr);
  if (built != CL_SUCCESS) return Check(built, "clBuildProgram", BuildLog(program, device));
  *out = std::move(module);
  return HAL_SUCCESS;
}

Module::~Module() {
  kernels_.clear();
  Api().clReleaseProgram(program_);
}

hal_result Module::GetKernel(const char* name, const hal_kernel_signature& signature,
                             Kernel** out) {
  std::lock_guard lock(mutex_);
  const auto found = kernels_.find(name);
  if (found != kernels_.end()) {
    if (std::memcmp(&found->second->signature(), &signature, sizeof(signature)) != 0) {
      return Fail(
          HAL_ERROR_INVALID_ARGUMENT,
          {"kernel '", name, "' was already taken from this module with another signature"});
    }
    *out = found->second.get();
    return HAL_SUCCESS;
  }
  cl_int status = CL_SUCCESS;
  const cl_kernel kernel = Api().clCreateKernel(program_, name, &status);
  if (status == CL_INVALID_KERNEL_NAME) {
    return Fail(HAL_ERROR_NOT_FOUND, {"the OpenCL module has no kernel '", name, "'"});
  }
  HAL_CL_RETURN_IF_FAILED(Check(status, "clCreateKernel"));
  auto owned = std::make_unique<Kernel>(program_, name, signature, kernel);
  cl_uint arguments = 0;
  HAL_CL_RETURN_IF_FAILED(
      HAL_CL(clGetKernelInfo, kernel, CL_KERNEL_NUM_ARGS, sizeof(arguments), &arguments, nullptr));
  size_t declared[3] = {0, 0, 0};
  HAL_CL_RETURN_IF_FAILED(HAL_CL(clGetKernelWorkGroupInfo, kernel, context_.device_id(),
                                 CL_KERNEL_COMPILE_WORK_GROUP_SIZE, sizeof(declared), declared,
                                 nullptr));
  const std::string mismatch =
      SignatureMismatch(name, signature, arguments, GlobalPointers(kernel, arguments), declared);
  if (!mismatch.empty()) return Fail(HAL_ERROR_INVALID_ARGUMENT, mismatch);
  *out = owned.get();
  kernels_.emplace(name, std::move(owned));
  return HAL_SUCCESS;
}

}  // namespace hal::opencl
