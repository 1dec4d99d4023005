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

// The size of by-value argument `index`, from which sizes clSetKernelArg
// takes: nullopt when it takes 1 byte (a push-constant struct is a multiple
// of 4 bytes, so that driver checks no sizes: pocl 3.1) or no multiple of 4
// up to the largest push-constant block.
std::optional<uint32_t> ByValueSize(cl_kernel kernel, cl_uint index, uint32_t expected) {
  const std::byte zeros[HAL_MAX_PUSH_CONSTANT_SIZE] = {};
  const auto takes = [&](uint32_t size) {
    return Api().clSetKernelArg(kernel, index, size, zeros) == CL_SUCCESS;
  };
  if (takes(1)) return std::nullopt;
  if (expected > 0 && expected <= sizeof(zeros) && takes(expected)) return expected;
  for (uint32_t size = 4; size <= sizeof(zeros); size += 4) {
    if (takes(size)) return size;
  }
  return std::nullopt;
}

KernelDeclaration Declaration(cl_kernel kernel, cl_device_id device,
                              const hal_kernel_signature& signature, hal_result* result) {
  KernelDeclaration declared;
  *result = HAL_CL(clGetKernelInfo, kernel, CL_KERNEL_NUM_ARGS, sizeof(cl_uint),
                   &declared.argument_count, nullptr);
  if (*result != HAL_SUCCESS) return declared;
  *result = HAL_CL(clGetKernelWorkGroupInfo, kernel, device, CL_KERNEL_COMPILE_WORK_GROUP_SIZE,
                   sizeof(declared.workgroup_size), declared.workgroup_size, nullptr);
  if (*result != HAL_SUCCESS) return declared;
  declared.global_pointers = GlobalPointers(kernel, declared.argument_count);
  const bool last_by_value = declared.global_pointers.empty() ? signature.push_constant_size > 0
                                                              : !declared.global_pointers.back();
  if (declared.argument_count > 0 && last_by_value) {
    declared.push_constant_size =
        ByValueSize(kernel, declared.argument_count - 1, signature.push_constant_size);
  }
  return declared;
}

}  // namespace

std::string SignatureMismatch(std::string_view name, const hal_kernel_signature& signature,
                              const KernelDeclaration& declared) {
  const std::string kernel = "kernel '" + std::string(name) + "'";
  const std::vector<bool>& global = declared.global_pointers;
  if (!global.empty()) {
    // The kernel ABI: __global pointers, then at most one by-value struct.
    uint32_t bindings = 0;
    while (bindings < global.size() && global[bindings]) ++bindings;
    if (declared.argument_count > bindings + 1) {
      return kernel + " does not follow the kernel ABI: argument " + std::to_string(bindings) +
             " is not a __global pointer, and only the last argument (the push constants) may "
             "be passed by value";
    }
    const bool has_struct = declared.argument_count == bindings + 1;
    const std::string struct_size = !has_struct ? "0 bytes"
                                    : declared.push_constant_size.has_value()
                                        ? std::to_string(*declared.push_constant_size) + " bytes"
                                        : "a by-value struct";
    const bool struct_differs = has_struct != (signature.push_constant_size > 0) ||
                                (has_struct && declared.push_constant_size.has_value() &&
                                 *declared.push_constant_size != signature.push_constant_size);
    if (bindings != signature.binding_count || struct_differs) {
      return kernel + " takes " + std::to_string(bindings) + " bindings and " + struct_size +
             " of push constants, but its signature declares " +
             std::to_string(signature.binding_count) + " bindings and " +
             std::to_string(signature.push_constant_size) + " bytes of push constants";
    }
  } else {
    const bool has_constants = signature.push_constant_size > 0;
    const uint32_t expected = signature.binding_count + (has_constants ? 1 : 0);
    if (declared.argument_count != expected) {
      return kernel + " takes " + std::to_string(declared.argument_count) +
             " arguments, but its signature declares " + std::to_string(signature.binding_count) +
             " bindings and " + std::to_string(signature.push_constant_size) +
             " bytes of push constants (" + std::to_string(expected) + " arguments)";
    }
    if (has_constants && declared.push_constant_size.has_value() &&
        *declared.push_constant_size != signature.push_constant_size) {
      return kernel + " reads " + std::to_string(*declared.push_constant_size) +
             " bytes of push constants, but its signature declares " +
             std::to_string(signature.push_constant_size);
    }
  }
  const size_t* size = declared.workgroup_size;
  const bool undeclared = size[0] == 0 && size[1] == 0 && size[2] == 0;
  const uint32_t workgroup[3] = {static_cast<uint32_t>(size[0]), static_cast<uint32_t>(size[1]),
                                 static_cast<uint32_t>(size[2])};
  if (!undeclared && std::memcmp(workgroup, signature.workgroup_size, sizeof(workgroup)) != 0) {
    return kernel + " declares reqd_work_group_size(" + Triple(workgroup) +
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
  if (desc.image_size == 0) return Fail(HAL_ERROR_INVALID_ARGUMENT, "the image is empty");
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
  // Source cut short may still build (a comment, a declaration): a program
  // without a kernel is no image of one.
  size_t kernels = 0;
  HAL_CL_RETURN_IF_FAILED(HAL_CL(clGetProgramInfo, program, CL_PROGRAM_NUM_KERNELS, sizeof(kernels),
                                 &kernels, nullptr));
  if (kernels == 0) {
    return Fail(HAL_ERROR_INVALID_ARGUMENT, "the image built, but declares no kernel");
  }
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
  hal_result declared_result = HAL_SUCCESS;
  const KernelDeclaration declared =
      Declaration(kernel, context_.device_id(), signature, &declared_result);
  HAL_CL_RETURN_IF_FAILED(declared_result);
  const std::string mismatch = SignatureMismatch(name, signature, declared);
  if (!mismatch.empty()) return Fail(HAL_ERROR_INVALID_ARGUMENT, mismatch);
  *out = owned.get();
  kernels_.emplace(name, std::move(owned));
  return HAL_SUCCESS;
}

}  // namespace hal::opencl
