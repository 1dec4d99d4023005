// The HIP driver's vendor: the shared core's primitive calls over
// libamdhip64 (gpu_core/vendor.h). HIP has no context to push: a hal
// context makes its device current on the calling thread (hipSetDevice);
// a partitioned context's streams are created with its CU mask.
#ifndef HAL_BACKENDS_HIP_HIP_VENDOR_H_
#define HAL_BACKENDS_HIP_HIP_VENDOR_H_

#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "backends/gpu_core/vendor.h"
#include "backends/hip/hip_entry_points.h"

namespace hal::hip {

struct HipDevice : gpu::Device {
  int device = 0;  // hipDevice_t, the ordinal hipSetDevice takes
  // gcnArchName ("gfx90a:sramecc+:xnack-"): which code object of an offload
  // bundle the runtime loads for it.
  std::string target_id;

  // The primary context, retained on the first hal context (where the
  // runtime has primary contexts) and released at shutdown: the vendor
  // object a context's native handle names.
  std::mutex primary_mutex;
  hipCtx_t primary = nullptr;
};

inline HipDevice& DeviceOf(gpu::Context& context) {
  return static_cast<HipDevice&>(context.device);
}

// Physical device memory of `device` (hipMemCreate, the granularity query).
hipMemAllocationProp PhysicalProperties(int device);

// Its calls are defined by concern: hip_driver.cc (the library),
// hip_device.cc (devices), hip_context.cc, hip_memory.cc, hip_stream.cc
// (streams and events), hip_module.cc.
class HipVendor final : public gpu::Vendor {
 public:
  const char* driver_name() const override { return "hip"; }
  const char* display_name() const override { return "HIP"; }
  gpu::NativeTypeNames native_type_names() const override {
    return {"hipCtx_t",   "hipDeviceptr_t", "hipStream_t",
            "hipEvent_t", "hipModule_t",    "hipFunction_t"};
  }
  HAL_GPU_VENDOR_OVERRIDES

 private:
  // ROCm cannot say a kernel's parameter layout (no cuFuncGetParamInfo), so
  // the driver reads it from the code object it gave hipModuleLoadData
  // (hip_module.cc): each module's kernels' explicit argument sizes by name,
  // and each function looked up in it, until the module is unloaded.
  struct ModuleKernels {
    std::map<std::string, std::vector<size_t>> sizes;
    std::vector<uint64_t> functions;
  };
  std::mutex kernels_mutex_;
  std::map<uint64_t, ModuleKernels> module_kernels_;
  std::map<uint64_t, std::vector<size_t>> function_sizes_;
};

}  // namespace hal::hip

#endif  // HAL_BACKENDS_HIP_HIP_VENDOR_H_
