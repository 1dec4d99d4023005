// Modules through libcuda: a cubin or PTX image through cuModuleLoadDataEx
// (PTX is JIT compiled; its error log goes into the message), kernels
// through cuModuleGetFunction, their parameters through cuFuncGetParamInfo
// and their launch bounds through cuFuncGetAttribute, where the driver has
// them.
#include <string>
#include <vector>

#include "backends/cuda/cuda_errors.h"
#include "backends/cuda/cuda_state.h"
#include "backends/cuda/cuda_vendor.h"
#include "backends/gpu_core/native_handles.h"

namespace hal::cuda {
namespace {

constexpr size_t kJitLogSize = 8192;
// More parameters than the kernel ABI allows: enough to see a mismatch.
constexpr size_t kMaxParams = HAL_MAX_BINDINGS + 2;

CUfunction Function(uint64_t function) { return gpu::Narrow<CUfunction>(function); }

}  // namespace

hal_result CudaVendor::ModuleLoad(Context& context, const hal_module_desc& desc, const void* image,
                                  uint64_t* out_module) {
  std::vector<char> log(kJitLogSize, '\0');
  CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void* values[] = {log.data(), reinterpret_cast<void*>(static_cast<uintptr_t>(log.size()))};
  CUmodule module = nullptr;
  const CUresult result = Api().cuModuleLoadDataEx(&module, image, 2, options, values);
  if (result != CUDA_SUCCESS) {
    const hal_result failure = Check(result, "cuModuleLoadDataEx", &context.health);
    log.back() = '\0';
    if (log[0] == '\0') return failure;
    return gpu::Fail(
        failure, std::string(gpu::LastErrorMessage()) + "; " + desc.format + " log: " + log.data());
  }
  *out_module = gpu::Widen(module);
  return HAL_SUCCESS;
}

void CudaVendor::ModuleUnload(Context& /*context*/, uint64_t module) {
  Api().cuModuleUnload(gpu::Narrow<CUmodule>(module));
}

hal_result CudaVendor::GetFunction(Context& context, uint64_t module, const char* name,
                                   uint64_t* out_function) {
  CUfunction function = nullptr;
  const hal_result result =
      HAL_CU(&context.health, cuModuleGetFunction, &function, gpu::Narrow<CUmodule>(module), name);
  *out_function = gpu::Widen(function);
  return result;
}

hal_result CudaVendor::KernelParamSizes(Context& context, uint64_t function,
                                        std::vector<size_t>* out_sizes, bool* out_known) {
  *out_known = Api().has_param_info;
  if (!*out_known) return HAL_SUCCESS;
  for (size_t index = 0; index < kMaxParams; ++index) {
    size_t offset = 0, size = 0;
    const CUresult result = Api().cuFuncGetParamInfo(Function(function), index, &offset, &size);
    if (result == CUDA_ERROR_INVALID_VALUE) break;  // past the last parameter
    if (result != CUDA_SUCCESS) return Check(result, "cuFuncGetParamInfo", &context.health);
    out_sizes->push_back(size);
  }
  return HAL_SUCCESS;
}

hal_result CudaVendor::KernelMaxThreads(Context& context, uint64_t function, int* out_threads,
                                        bool* out_known) {
  *out_known = Api().has_launch_bounds;
  if (!*out_known) return HAL_SUCCESS;
  return HAL_CU(&context.health, cuFuncGetAttribute, out_threads,
                CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, Function(function));
}

}  // namespace hal::cuda
