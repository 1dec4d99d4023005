// Modules: an image loaded by the vendor (after its headers are checked to
// lie within the bytes given), kernels taken from it by name, their
// parameter layout checked against the bundle's signature and their
// workgroup size against their launch bounds, where the library can say.
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "backends/gpu_core/handles.h"
#include "backends/gpu_core/image_extent.h"
#include "backends/gpu_core/table_functions.h"

namespace hal::gpu {
namespace {

constexpr size_t kPointerSize = 8;
constexpr size_t kProbeWords = 8;

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

hal_result CheckSignature(Context& context, uint64_t function, const char* name,
                          const hal_kernel_signature& signature) {
  std::vector<size_t> sizes;
  bool known = false;
  if (const hal_result r = context.vendor.KernelParamSizes(context, function, &sizes, &known)) {
    return r;
  }
  if (!known || sizes == ExpectedSizes(signature)) return HAL_SUCCESS;
  return Fail(HAL_ERROR_INVALID_ARGUMENT,
              std::string("kernel '") + name + "': its image declares " + ListSizes(sizes) +
                  "; the bundle's manifest says " + std::to_string(signature.binding_count) +
                  " bindings and " + std::to_string(signature.push_constant_size) +
                  " push-constant bytes (" + ListSizes(ExpectedSizes(signature)) + ")");
}

// The kernel ABI's kernels declare __launch_bounds__(the workgroup size),
// which makes it the function's maximum threads per block: a bundle
// declaring another workgroup size would launch the kernel with a blockDim
// it does not index by.
hal_result CheckWorkgroupSize(Context& context, uint64_t function, const char* name,
                              const hal_kernel_signature& signature) {
  int max_threads = 0;
  bool known = false;
  if (const hal_result r =
          context.vendor.KernelMaxThreads(context, function, &max_threads, &known)) {
    return r;
  }
  const uint32_t* size = signature.workgroup_size;
  const uint64_t threads = uint64_t{size[0]} * size[1] * size[2];
  if (!known || threads == static_cast<uint64_t>(max_threads)) return HAL_SUCCESS;
  return Fail(HAL_ERROR_INVALID_ARGUMENT,
              std::string("kernel '") + name + "': its image runs at most " +
                  std::to_string(max_threads) +
                  " threads per block (its __launch_bounds__); the bundle's manifest says "
                  "a workgroup of " +
                  std::to_string(size[0]) + "x" + std::to_string(size[1]) + "x" +
                  std::to_string(size[2]) + " (" + std::to_string(threads) + " threads)");
}

}  // namespace

hal_result ModuleLoad(hal_drv_context* context_handle, const hal_module_desc* desc,
                      hal_drv_module** out_module) {
  Context& context = *Unwrap(context_handle);
  if (!ImageExtentWithin(static_cast<const uint8_t*>(desc->image), desc->image_size)) {
    return Fail(HAL_ERROR_INVALID_ARGUMENT,
                std::string("the ") + desc->format + " image's headers reach past its " +
                    std::to_string(desc->image_size) + " bytes (a truncated or corrupt image)");
  }
  return InContext(context, [&] {
    // A copy, 8-byte aligned for the ELF reader, NUL-terminated for text, and
    // followed by zeros a vendor's probe of a magic number (24 bytes for an
    // offload bundle's) may read without knowing the size.
    std::vector<uint64_t> image(desc->image_size / sizeof(uint64_t) + 1 + kProbeWords, 0);
    std::memcpy(image.data(), desc->image, desc->image_size);
    uint64_t native = 0;
    if (const hal_result r = context.vendor.ModuleLoad(context, *desc, image.data(), &native)) {
      return r;
    }
    *out_module = Wrap<hal_drv_module>(std::make_unique<GpuModule>(&context, native));
    return HAL_SUCCESS;
  });
}

void ModuleDestroy(hal_drv_module* module_handle) {
  std::unique_ptr<GpuModule> module(Unwrap(module_handle));
  Context& context = *module->context();
  ScopedCurrent current(context);
  context.vendor.ModuleUnload(context, module->handle());
}

hal_result KernelGet(hal_drv_module* module_handle, const hal_kernel_desc* desc,
                     hal_drv_kernel** out_kernel) {
  GpuModule& module = *Unwrap(module_handle);
  Context& context = *module.context();
  return InContext(context, [&] {
    const auto make = [&](Kernel* kernel) {
      uint64_t function = 0;
      if (const hal_result r =
              context.vendor.GetFunction(context, module.handle(), desc->name, &function)) {
        return Fail(r, std::string("kernel '") + desc->name + "': " + LastErrorMessage());
      }
      if (const hal_result r = CheckSignature(context, function, desc->name, desc->signature)) {
        return r;
      }
      if (const hal_result r = CheckWorkgroupSize(context, function, desc->name, desc->signature)) {
        return r;
      }
      kernel->function = function;
      return HAL_SUCCESS;
    };
    Kernel* kernel = nullptr;
    if (const hal_result r = module.GetKernel(desc->name, desc->signature, make, &kernel)) return r;
    *out_kernel = reinterpret_cast<hal_drv_kernel*>(kernel);
    return HAL_SUCCESS;
  });
}

}  // namespace hal::gpu
