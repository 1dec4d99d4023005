// Modules: a cubin or PTX image through cuModuleLoadDataEx (PTX is JIT
// compiled; its error log goes into the message), kernels through
// cuModuleGetFunction, their parameter layout checked against the bundle's
// signature with cuFuncGetParamInfo, and their workgroup size against
// __launch_bounds__ with cuFuncGetAttribute, where the driver has them.
#include <elf.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "backends/cuda/cuda_entry_points.h"
#include "backends/cuda/cuda_handles.h"

namespace hal::cuda {
namespace {

constexpr size_t kJitLogSize = 8192;
constexpr size_t kPointerSize = 8;
// More parameters than the kernel ABI allows: enough to see a mismatch.
constexpr size_t kMaxParams = HAL_MAX_BINDINGS + 2;

std::string ListSizes(const std::vector<size_t>& sizes) {
  if (sizes.empty()) return "no parameters";
  std::string list = "parameters of ";
  for (size_t i = 0; i < sizes.size(); ++i) {
    list += (i == 0 ? "" : ", ") + std::to_string(sizes[i]);
  }
  return list + " bytes";
}

// The kernel ABI's layout for `signature`: a pointer per binding, then the
// push constants as one struct.
std::vector<size_t> ExpectedSizes(const hal_kernel_signature& signature) {
  std::vector<size_t> sizes(signature.binding_count, kPointerSize);
  if (signature.push_constant_size > 0) sizes.push_back(signature.push_constant_size);
  return sizes;
}

hal_result CheckSignature(Context& context, CUfunction function, const char* name,
                          const hal_kernel_signature& signature) {
  std::vector<size_t> sizes;
  for (size_t index = 0; index < kMaxParams; ++index) {
    size_t offset = 0, size = 0;
    const CUresult result = Api().cuFuncGetParamInfo(function, index, &offset, &size);
    if (result == CUDA_ERROR_INVALID_VALUE) break;  // past the last parameter
    if (result != CUDA_SUCCESS) return Check(result, "cuFuncGetParamInfo", &context.health);
    sizes.push_back(size);
  }
  if (sizes == ExpectedSizes(signature)) return HAL_SUCCESS;
  return gpu::Fail(HAL_ERROR_INVALID_ARGUMENT,
                   std::string("kernel '") + name + "': its image declares " + ListSizes(sizes) +
                       "; the bundle's manifest says " + std::to_string(signature.binding_count) +
                       " bindings and " + std::to_string(signature.push_constant_size) +
                       " push-constant bytes (" + ListSizes(ExpectedSizes(signature)) + ")");
}

// The kernel ABI's CUDA kernels declare __launch_bounds__(the workgroup
// size), which makes it the function's maximum threads per block: a bundle
// declaring another workgroup size would launch the kernel with a blockDim
// it does not index by.
hal_result CheckWorkgroupSize(Context& context, CUfunction function, const char* name,
                              const hal_kernel_signature& signature) {
  int max_threads = 0;
  if (const hal_result r = HAL_CU(&context.health, cuFuncGetAttribute, &max_threads,
                                  CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, function)) {
    return r;
  }
  const uint32_t* size = signature.workgroup_size;
  const uint64_t threads = uint64_t{size[0]} * size[1] * size[2];
  if (threads == static_cast<uint64_t>(max_threads)) return HAL_SUCCESS;
  return gpu::Fail(HAL_ERROR_INVALID_ARGUMENT,
                   std::string("kernel '") + name + "': its image runs at most " +
                       std::to_string(max_threads) +
                       " threads per block (its __launch_bounds__); the bundle's manifest says "
                       "a workgroup of " +
                       std::to_string(size[0]) + "x" + std::to_string(size[1]) + "x" +
                       std::to_string(size[2]) + " (" + std::to_string(threads) + " threads)");
}

// cuModuleLoadDataEx takes no size: CUDA finds a cubin's end through its ELF
// headers, so a truncated or lying image would be read past its end. Whether
// every table and section those headers claim lies within the `size` bytes
// given; PTX (not ELF) is NUL-terminated by the caller and always fits.
bool ElfExtentWithin(const uint8_t* image, uint64_t size) {
  if (size < SELFMAG || std::memcmp(image, ELFMAG, SELFMAG) != 0) return true;
  if (size < sizeof(Elf64_Ehdr)) return false;
  Elf64_Ehdr header;
  std::memcpy(&header, image, sizeof(header));
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_shentsize != sizeof(Elf64_Shdr)) {
    return false;
  }
  const auto within = [size](uint64_t offset, uint64_t length) {
    return offset <= size && length <= size - offset;
  };
  if (!within(header.e_shoff, uint64_t{header.e_shnum} * sizeof(Elf64_Shdr)) ||
      !within(header.e_phoff, uint64_t{header.e_phnum} * header.e_phentsize)) {
    return false;
  }
  for (uint16_t i = 0; i < header.e_shnum; ++i) {
    Elf64_Shdr section;
    std::memcpy(&section, image + header.e_shoff + i * sizeof(Elf64_Shdr), sizeof(section));
    if (section.sh_type != SHT_NOBITS && !within(section.sh_offset, section.sh_size)) return false;
  }
  return true;
}

}  // namespace

hal_result ModuleLoad(hal_drv_context* context_handle, const hal_module_desc* desc,
                      hal_drv_module** out_module) {
  Context& context = *Unwrap(context_handle);
  if (!ElfExtentWithin(static_cast<const uint8_t*>(desc->image), desc->image_size)) {
    return gpu::Fail(HAL_ERROR_INVALID_ARGUMENT, "the cubin's ELF headers reach past its " +
                                                     std::to_string(desc->image_size) +
                                                     " bytes (a truncated or corrupt image)");
  }
  return InContext(context, [&] {
    // A copy, 8-byte aligned for the ELF reader and NUL-terminated for PTX.
    std::vector<uint64_t> image(desc->image_size / sizeof(uint64_t) + 1, 0);
    std::memcpy(image.data(), desc->image, desc->image_size);
    std::vector<char> log(kJitLogSize, '\0');
    CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
    void* values[] = {log.data(), reinterpret_cast<void*>(static_cast<uintptr_t>(log.size()))};
    CUmodule native = nullptr;
    const CUresult result = Api().cuModuleLoadDataEx(&native, image.data(), 2, options, values);
    if (result != CUDA_SUCCESS) {
      const hal_result failure = Check(result, "cuModuleLoadDataEx", &context.health);
      log.back() = '\0';
      if (log[0] == '\0') return failure;
      return gpu::Fail(failure, std::string(gpu::LastErrorMessage()) + "; " + desc->format +
                                    " log: " + log.data());
    }
    *out_module = Wrap<hal_drv_module>(std::make_unique<Module>(&context, Widen(native)));
    return HAL_SUCCESS;
  });
}

void ModuleDestroy(hal_drv_module* module_handle) {
  std::unique_ptr<Module> module(Unwrap(module_handle));
  ScopedCurrent current(*module->context());
  Api().cuModuleUnload(Narrow<CUmodule>(module->handle()));
}

hal_result KernelGet(hal_drv_module* module_handle, const hal_kernel_desc* desc,
                     hal_drv_kernel** out_kernel) {
  Module& module = *Unwrap(module_handle);
  Context& context = *module.context();
  return InContext(context, [&] {
    const auto make = [&](Kernel* kernel) {
      CUfunction function = nullptr;
      if (const hal_result r = HAL_CU(&context.health, cuModuleGetFunction, &function,
                                      Narrow<CUmodule>(module.handle()), desc->name)) {
        return gpu::Fail(r, std::string("kernel '") + desc->name + "': " + gpu::LastErrorMessage());
      }
      if (Api().has_param_info) {
        if (const hal_result r = CheckSignature(context, function, desc->name, desc->signature)) {
          return r;
        }
      }
      if (Api().has_launch_bounds) {
        if (const hal_result r =
                CheckWorkgroupSize(context, function, desc->name, desc->signature)) {
          return r;
        }
      }
      kernel->function = Widen(function);
      return HAL_SUCCESS;
    };
    Kernel* kernel = nullptr;
    if (const hal_result r = module.GetKernel(desc->name, desc->signature, make, &kernel)) return r;
    *out_kernel = reinterpret_cast<hal_drv_kernel*>(kernel);
    return HAL_SUCCESS;
  });
}

}  // namespace hal::cuda
