// Modules and kernels. A module is a built cl_program: from OpenCL C source
// ("opencl-c") or from SPIR-V ("spirv-opencl", clCreateProgramWithIL), one
// kernel per image; a failed build is HAL_ERROR_INVALID_ARGUMENT with the
// build log. A kernel follows the kernel ABI in OpenCL: its bindings are
// __global pointer arguments in binding order, then the push constants as one
// by-value struct argument (absent without push constants), and its
// workgroup size is its reqd_work_group_size.
//
// clSetKernelArg is not thread-safe on one cl_kernel, and its arguments stay
// set until the next call: a kernel keeps a pool of cl_kernel objects, and a
// dispatch holds one from setting its arguments until it is enqueued, so
// streams dispatching the same kernel at once never share one.
#ifndef HAL_BACKENDS_OPENCL_OPENCL_MODULE_H_
#define HAL_BACKENDS_OPENCL_OPENCL_MODULE_H_

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/opencl/opencl_api.h"
#include "backends/opencl/opencl_context.h"
#include "hal/driver/hal_driver.h"

namespace hal::opencl {

inline constexpr char kSpirvFormat[] = "spirv-opencl";
inline constexpr char kSourceFormat[] = "opencl-c";

class Kernel {
 public:
  Kernel(cl_program program, std::string name, const hal_kernel_signature& signature,
         cl_kernel first)
      : program_(program),
        name_(std::move(name)),
        signature_(signature),
        free_{first},
        all_{first},
        native_(first) {}
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  const hal_kernel_signature& signature() const { return signature_; }
  // A cl_kernel no one else is setting arguments of; give it back with Release.
  hal_result Acquire(cl_kernel* out);
  void Release(cl_kernel kernel);
  // The first cl_kernel made, for native handles.
  cl_kernel native() const { return native_; }

 private:
  cl_program program_;  // the module's, which outlives its kernels
  const std::string name_;
  const hal_kernel_signature signature_;
  std::mutex mutex_;
  std::vector<cl_kernel> free_;
  std::vector<cl_kernel> all_;
  cl_kernel native_ = nullptr;
};

class Module {
 public:
  static hal_result Load(Context& context, const hal_module_desc& desc,
                         std::unique_ptr<Module>* out);
  ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // HAL_ERROR_NOT_FOUND when the program has no such kernel;
  // HAL_ERROR_INVALID_ARGUMENT, naming both, when the kernel's arguments or
  // reqd_work_group_size differ from `signature`. Thread-safe; the kernel
  // lives as long as the module.
  hal_result GetKernel(const char* name, const hal_kernel_signature& signature, Kernel** out);
  cl_program program() const { return program_; }

 private:
  Module(Context& context, cl_program program) : context_(context), program_(program) {}

  Context& context_;
  cl_program program_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Kernel>, std::less<>> kernels_;
};

// What a built kernel declares, as far as OpenCL tells.
struct KernelDeclaration {
  uint32_t argument_count = 0;
  // Per argument, whether it is a __global pointer; empty when the program
  // kept no argument info (a SPIR-V program may not).
  std::vector<bool> global_pointers;
  // The size of the last argument when it is passed by value, as
  // clSetKernelArg's size check tells it; nullopt when unknown (pocl 3.1
  // checks no by-value size, so there a struct's size goes unchecked).
  std::optional<uint32_t> push_constant_size;
  size_t workgroup_size[3] = {0, 0, 0};  // reqd_work_group_size; 0s when undeclared
};

// Why `declared` does not match `signature`, or "" when it does.
std::string SignatureMismatch(std::string_view name, const hal_kernel_signature& signature,
                              const KernelDeclaration& declared);

}  // namespace hal::opencl

#endif  // HAL_BACKENDS_OPENCL_OPENCL_MODULE_H_
