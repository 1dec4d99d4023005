// The CUDA driver's vendor: the shared core's primitive calls over libcuda
// (gpu_core/vendor.h). A hal context is a device's primary context, or a
// green context of some of its SMs when the context asks for a partition.
#ifndef HAL_BACKENDS_CUDA_CUDA_VENDOR_H_
#define HAL_BACKENDS_CUDA_CUDA_VENDOR_H_

#include <cuda.h>

#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "backends/gpu_core/vendor.h"

namespace hal::cuda {

struct CudaDevice : gpu::Device {
  CUdevice device = 0;
  CUdevSmResource sm_resource{};  // green contexts: the whole device's SMs

  // The primary context, retained on first use and released at shutdown:
  // retaining it creates the device's CUDA context, which costs memory on
  // every GPU of the machine, so only devices that are used pay it.
  std::mutex primary_mutex;
  CUcontext primary = nullptr;
};

inline CudaDevice& DeviceOf(gpu::Context& context) {
  return static_cast<CudaDevice&>(context.device);
}

// Its calls are defined by concern: cuda_driver.cc (the library),
// cuda_device.cc (devices), cuda_context.cc, cuda_memory.cc, cuda_stream.cc
// (streams and events), cuda_module.cc.
class CudaVendor final : public gpu::Vendor {
 public:
  const char* driver_name() const override { return "cuda"; }
  const char* display_name() const override { return "CUDA"; }
  gpu::NativeTypeNames native_type_names() const override {
    return {"CUcontext", "CUdeviceptr", "CUstream", "CUevent", "CUmodule", "CUfunction"};
  }
  HAL_GPU_VENDOR_OVERRIDES
};

// The device's primary context, retained on first call.
hal_result RetainPrimary(CudaDevice& device, CUcontext* out_context);

}  // namespace hal::cuda

#endif  // HAL_BACKENDS_CUDA_CUDA_VENDOR_H_
