// Modules and kernels of the CPU driver. A module is a "cpu-elf:<arch>" image:
// a shared object exporting one hal_cpu_kernel_fn per kernel
// (hal/driver/hal_cpu_kernel.h), loaded from memory without a file on disk.
#ifndef HAL_BACKENDS_CPU_CPU_MODULE_H_
#define HAL_BACKENDS_CPU_CPU_MODULE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "backends/common/memory_shared_object.h"
#include "hal/driver/hal_cpu_kernel.h"
#include "hal/driver/hal_driver.h"

namespace hal::cpu {

struct Kernel {
  hal_cpu_kernel_fn function;
  uint32_t workgroup_size[3];  // as the kernel's signature declares
};

// Thread-safe.
class Module {
 public:
  // Copies the image into a memfd and dlopens it (RTLD_NOW | RTLD_LOCAL), so
  // unresolved symbols fail here rather than at dispatch.
  // HAL_ERROR_INVALID_ARGUMENT with dlopen's message for an image that is not
  // a loadable shared object of this architecture.
  static hal_result Load(const void* image, size_t image_size, std::unique_ptr<Module>* out_module);

  explicit Module(std::unique_ptr<driver_support::MemorySharedObject> object);
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // The exported function `name`, which lives as long as the module.
  // HAL_ERROR_NOT_FOUND if the image exports no such symbol.
  hal_result GetKernel(const char* name, const hal_kernel_signature& signature,
                       Kernel** out_kernel);

 private:
  std::unique_ptr<driver_support::MemorySharedObject> object_;
  std::mutex kernels_mutex_;
  std::vector<std::unique_ptr<Kernel>> kernels_;  // guarded by kernels_mutex_
};

}  // namespace hal::cpu

#endif  // HAL_BACKENDS_CPU_CPU_MODULE_H_
